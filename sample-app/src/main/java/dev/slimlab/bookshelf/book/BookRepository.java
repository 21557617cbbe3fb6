package dev.slimlab.bookshelf.book;

import java.util.Optional;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

public interface BookRepository extends JpaRepository<Book, Long> {

    /** Case-insensitive substring search; an empty filter matches every book. */
    Page<Book> findByAuthorContainingIgnoreCaseAndTitleContainingIgnoreCase(
            String author, String title, Pageable pageable);

    Optional<Book> findByIsbn(String isbn);
}
