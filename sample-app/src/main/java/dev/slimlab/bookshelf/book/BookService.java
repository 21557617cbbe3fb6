package dev.slimlab.bookshelf.book;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The shelf's rules: ISBNs are unique, unknown ids are errors. The unique index on the table
 * still guards against two requests racing past the duplicate check.
 */
@Service
@Transactional
public class BookService {

    private final BookRepository books;

    public BookService(BookRepository books) {
        this.books = books;
    }

    @Transactional(readOnly = true)
    public Page<BookResponse> search(String author, String title, Pageable pageable) {
        return books.findByAuthorContainingIgnoreCaseAndTitleContainingIgnoreCase(author, title, pageable)
                .map(BookResponse::of);
    }

    @Transactional(readOnly = true)
    public BookResponse get(long id) {
        return BookResponse.of(find(id));
    }

    public BookResponse create(BookRequest request) {
        String isbn = request.normalizedIsbn();
        books.findByIsbn(isbn).ifPresent(existing -> {
            throw new DuplicateIsbnException(isbn, existing.getId());
        });
        Book book = new Book(request.title(), request.author(), isbn, request.publicationYear());
        return BookResponse.of(books.saveAndFlush(book));
    }

    public BookResponse replace(long id, BookRequest request) {
        Book book = find(id);
        String isbn = request.normalizedIsbn();
        books.findByIsbn(isbn)
                .filter(other -> !other.getId().equals(book.getId()))
                .ifPresent(other -> {
                    throw new DuplicateIsbnException(isbn, other.getId());
                });
        book.replaceWith(request.title(), request.author(), isbn, request.publicationYear());
        return BookResponse.of(books.saveAndFlush(book));
    }

    public void delete(long id) {
        books.delete(find(id));
    }

    private Book find(long id) {
        return books.findById(id).orElseThrow(() -> new BookNotFoundException(id));
    }
}
