package dev.slimlab.bookshelf.book;

import java.util.Collection;
import java.util.Optional;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

public interface BookRepository extends JpaRepository<Book, Long> {

    /** Case-insensitive substring search; an empty filter matches every book. */
    Page<Book> findByAuthorContainingIgnoreCaseAndTitleContainingIgnoreCase(
            String author, String title, Pageable pageable);

    Optional<Book> findByIsbn(String isbn);

    @Query("select b.id from Book b where b.isbn = :isbn")
    Optional<Long> findIdByIsbn(String isbn);

    /**
     * Deletes in one statement and counts what it deleted, so that of two requests deleting the same
     * book one deletes it and the other learns it is gone. (Loading then deleting the entity would
     * make the second fail with an optimistic-locking error.)
     */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("delete from Book b where b.id = :id")
    int deleteBookById(long id);

    /** As {@link #deleteBookById}, but only while the book is at one of these versions. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("delete from Book b where b.id = :id and b.version in :versions")
    int deleteBookByIdAndVersionIn(long id, Collection<Long> versions);
}
