package dev.slimlab.bookshelf.book;

import java.util.Locale;
import org.hibernate.exception.ConstraintViolationException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The shelf's rules: ISBNs are unique, unknown ids are errors, and a client's If-Match must name
 * the book's current version.
 *
 * <p>Concurrent requests are expected, not exceptional. The unique index on the ISBN catches two
 * writers that race past the duplicate check, and the version column catches a write based on a
 * book that changed or vanished after it was read. Writes therefore run in a
 * {@link TransactionTemplate}, so that such a failure, which surfaces only when the transaction
 * flushes, can be answered after the transaction is over: by naming the book that won the ISBN,
 * by a 404 for a book that is gone, or by a 412 for a stale If-Match.
 */
@Service
public class BookService {

    /** The unique index on the ISBN, as {@link Book} names it. */
    static final String ISBN_CONSTRAINT = "uk_book_isbn";

    /** How often a replace without If-Match is tried when other requests keep changing the book. */
    private static final int REPLACE_ATTEMPTS = 3;

    private final BookRepository books;
    private final TransactionTemplate writes;

    public BookService(BookRepository books, PlatformTransactionManager transactions) {
        this.books = books;
        this.writes = new TransactionTemplate(transactions);
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
        try {
            return writes.execute(tx -> {
                books.findIdByIsbn(isbn).ifPresent(existing -> {
                    throw new DuplicateIsbnException(isbn, existing);
                });
                Book book = new Book(request.title(), request.author(), isbn, request.publicationYear());
                return BookResponse.of(books.saveAndFlush(book));
            });
        } catch (DataIntegrityViolationException ex) {
            throw isbnConflict(isbn, ex);
        }
    }

    /**
     * Replaces the book's fields. Without If-Match the client's state wins even over a change that
     * lands between this request's read and its write (the replace is simply tried again); with
     * If-Match such a change is a 412.
     */
    public BookResponse replace(long id, BookRequest request, VersionCondition condition) {
        String isbn = request.normalizedIsbn();
        for (int attempt = 1; ; attempt++) {
            try {
                return writes.execute(tx -> {
                    Book book = find(id);
                    if (!condition.matches(book.getVersion())) {
                        throw new StaleBookVersionException(id);
                    }
                    books.findIdByIsbn(isbn)
                            .filter(other -> other != id)
                            .ifPresent(other -> {
                                throw new DuplicateIsbnException(isbn, other);
                            });
                    book.replaceWith(request.title(), request.author(), isbn, request.publicationYear());
                    return BookResponse.of(books.saveAndFlush(book));
                });
            } catch (OptimisticLockingFailureException ex) {
                // Another request changed or deleted the book between this one's read and its write.
                if (!books.existsById(id)) {
                    throw new BookNotFoundException(id);
                }
                if (condition.present()) {
                    throw new StaleBookVersionException(id);
                }
                if (attempt == REPLACE_ATTEMPTS) {
                    throw new ConcurrentBookChangeException(id);
                }
            } catch (DataIntegrityViolationException ex) {
                throw isbnConflict(isbn, ex);
            }
        }
    }

    /**
     * Deletes in one statement that counts its rows, so that of several requests deleting one book
     * exactly one succeeds and the others get a 404, whatever the timing.
     */
    public void delete(long id, VersionCondition condition) {
        writes.executeWithoutResult(tx -> {
            int deleted = condition.versions()
                    .map(versions -> versions.isEmpty() ? 0 : books.deleteBookByIdAndVersionIn(id, versions))
                    .orElseGet(() -> books.deleteBookById(id));
            if (deleted == 0) {
                if (books.existsById(id)) {
                    throw new StaleBookVersionException(id);
                }
                throw new BookNotFoundException(id);
            }
        });
    }

    private Book find(long id) {
        return books.findById(id).orElseThrow(() -> new BookNotFoundException(id));
    }

    /**
     * The database refused a write. If the ISBN's unique index refused it, another request took the
     * ISBN after this one checked it: answer as if the check had seen it, naming that book. Any
     * other constraint stays what it is.
     */
    private RuntimeException isbnConflict(String isbn, DataIntegrityViolationException ex) {
        if (!violates(ex, ISBN_CONSTRAINT)) {
            return ex;
        }
        return books.findIdByIsbn(isbn)
                .<RuntimeException>map(existing -> new DuplicateIsbnException(isbn, existing))
                .orElse(ex);
    }

    private static boolean violates(DataIntegrityViolationException ex, String constraint) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException violation && violation.getConstraintName() != null) {
                return violation.getConstraintName().toLowerCase(Locale.ROOT).contains(constraint);
            }
        }
        return false;
    }
}
