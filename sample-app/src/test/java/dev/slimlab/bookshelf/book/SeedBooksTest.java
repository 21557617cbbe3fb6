package dev.slimlab.bookshelf.book;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.context.annotation.Import;

@DataJpaTest
@Import(SeedBooks.class)
class SeedBooksTest {

    @Autowired
    private SeedBooks seed;

    @Autowired
    private BookRepository books;

    @Test
    void aboutTwentyDistinctBooks() {
        assertThat(SeedBooks.BOOKS).hasSizeBetween(18, 25);
        assertThat(SeedBooks.BOOKS).extracting(BookRequest::normalizedIsbn).doesNotHaveDuplicates();
    }

    @Test
    void everySeededBookPassesTheApisOwnValidation() {
        for (BookRequest book : SeedBooks.BOOKS) {
            assertThat(BookRequestValidationTest.invalidFields(book)).as(book.title()).isEmpty();
        }
    }

    @Test
    void theShelfIsSeededWhenTheAppStarts() {
        assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size());
        assertThat(books.findByIsbn("9780134685991")).get().extracting(Book::getTitle).isEqualTo("Effective Java");
    }

    @Test
    void fillsAnEmptyShelf() {
        books.deleteAllInBatch();
        seed.run(new DefaultApplicationArguments());
        assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size());
    }

    @Test
    void leavesAShelfThatHasBooksAlone() {
        books.deleteAllInBatch();
        books.saveAndFlush(new Book("Code Complete", "Steve McConnell", "9780735619678", 2004));
        seed.run(new DefaultApplicationArguments());
        assertThat(books.findAll()).extracting(Book::getTitle).containsExactly("Code Complete");
    }
}
