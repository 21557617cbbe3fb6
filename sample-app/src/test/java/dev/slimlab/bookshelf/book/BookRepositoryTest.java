package dev.slimlab.bookshelf.book;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;

@DataJpaTest
class BookRepositoryTest {

    @Autowired
    private BookRepository books;

    @BeforeEach
    void shelve() {
        books.saveAllAndFlush(java.util.List.of(
                new Book("Refactoring", "Martin Fowler", "9780134757599", 2018),
                new Book("Patterns of Enterprise Application Architecture", "Martin Fowler", "9780321127426", 2002),
                new Book("Effective Java", "Joshua Bloch", "9780134685991", 2018),
                new Book("Java Concurrency in Practice", "Brian Goetz", "9780321349606", 2006)));
    }

    private Page<Book> search(String author, String title) {
        return books.findByAuthorContainingIgnoreCaseAndTitleContainingIgnoreCase(
                author, title, PageRequest.of(0, 10, Sort.by("title")));
    }

    @Test
    void emptyFiltersMatchEveryBook() {
        assertThat(search("", "").getTotalElements()).isEqualTo(4);
    }

    @Test
    void authorFilterIsACaseInsensitiveSubstring() {
        assertThat(search("FOWL", "").map(Book::getTitle))
                .containsExactly("Patterns of Enterprise Application Architecture", "Refactoring");
    }

    @Test
    void titleFilterIsACaseInsensitiveSubstring() {
        assertThat(search("", "java").map(Book::getTitle))
                .containsExactly("Effective Java", "Java Concurrency in Practice");
    }

    @Test
    void bothFiltersMustMatch() {
        assertThat(search("bloch", "java").map(Book::getTitle)).containsExactly("Effective Java");
        assertThat(search("fowler", "java")).isEmpty();
    }

    @Test
    void pagesAndSortsInTheDatabase() {
        Page<Book> page = books.findByAuthorContainingIgnoreCaseAndTitleContainingIgnoreCase(
                "", "", PageRequest.of(1, 3, Sort.by(Sort.Order.desc("publicationYear"), Sort.Order.asc("title"))));
        assertThat(page.getTotalElements()).isEqualTo(4);
        assertThat(page.getTotalPages()).isEqualTo(2);
        assertThat(page.map(Book::getTitle)).containsExactly("Patterns of Enterprise Application Architecture");
    }

    @Test
    void findsByIsbn() {
        assertThat(books.findByIsbn("9780134685991")).get().extracting(Book::getTitle).isEqualTo("Effective Java");
        assertThat(books.findByIsbn("9780131103627")).isEmpty();
    }

    @Test
    void theDatabaseRejectsASecondBookWithTheSameIsbn() {
        assertThatThrownBy(() -> books.saveAndFlush(new Book("Copy", "Someone", "9780134685991", 2020)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void deletingCountsTheRowsSoASecondDeleteSeesNone() {
        long id = books.findByIsbn("9780134685991").orElseThrow().getId();
        assertThat(books.deleteBookById(id)).isEqualTo(1);
        assertThat(books.deleteBookById(id)).isZero();
        assertThat(books.existsById(id)).isFalse();
    }

    @Test
    void deletingByVersionDeletesOnlyTheNamedVersion() {
        long id = books.findByIsbn("9780134685991").orElseThrow().getId();
        assertThat(books.deleteBookByIdAndVersionIn(id, java.util.Set.of(1L, 2L))).isZero();
        assertThat(books.deleteBookByIdAndVersionIn(id, java.util.Set.of(0L))).isEqualTo(1);
    }

    @Test
    void everyChangeMovesTheVersionOn() {
        Book book = books.findByIsbn("9780134685991").orElseThrow();
        assertThat(book.getVersion()).isZero();
        book.replaceWith("Effective Java, 3rd ed.", book.getAuthor(), book.getIsbn(), book.getPublicationYear());
        assertThat(books.saveAndFlush(book).getVersion()).isEqualTo(1);
    }

    @Test
    void stampsTheCreationTime() {
        Instant before = Instant.now();
        Book saved = books.saveAndFlush(new Book("The C Programming Language", "Kernighan, Ritchie", "9780131103627", 1988));
        assertThat(saved.getId()).isNotNull();
        assertThat(saved.getCreatedAt()).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
    }
}
