package dev.slimlab.bookshelf.book;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.CreationTimestamp;

/**
 * A book on the shelf. The ISBN is stored as 13 bare digits so that uniqueness holds however it was typed.
 * The version grows with every change; it is the book's ETag, so that clients can update safely.
 */
@Entity
@Table(name = "book", uniqueConstraints = @UniqueConstraint(name = "uk_book_isbn", columnNames = "isbn"))
public class Book {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = BookRequest.MAX_TITLE_LENGTH)
    private String title;

    @Column(nullable = false, length = BookRequest.MAX_AUTHOR_LENGTH)
    private String author;

    @Column(nullable = false, length = 13)
    private String isbn;

    @Column(name = "publication_year", nullable = false)
    private int publicationYear;

    @CreationTimestamp
    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    /** The default lets schema updates add the column to a table that already holds books. */
    @Version
    @ColumnDefault("0")
    @Column(nullable = false)
    private long version;

    protected Book() {
        // for JPA
    }

    public Book(String title, String author, String isbn, int publicationYear) {
        replaceWith(title, author, isbn, publicationYear);
    }

    /** Overwrites every field a client may set; id and creation time stay. */
    public final void replaceWith(String title, String author, String isbn, int publicationYear) {
        this.title = title;
        this.author = author;
        this.isbn = isbn;
        this.publicationYear = publicationYear;
    }

    public Long getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }

    public String getAuthor() {
        return author;
    }

    public String getIsbn() {
        return isbn;
    }

    public int getPublicationYear() {
        return publicationYear;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public long getVersion() {
        return version;
    }
}
