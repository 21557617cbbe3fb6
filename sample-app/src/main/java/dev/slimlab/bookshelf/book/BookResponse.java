package dev.slimlab.bookshelf.book;

import java.time.Instant;

/**
 * What the API returns for a book; keeps the JPA entity out of the JSON contract. The version is
 * also the book's ETag ({@code "3"} for version 3), which PUT and DELETE accept in If-Match.
 */
public record BookResponse(
        long id, String title, String author, String isbn, int publicationYear, Instant createdAt, long version) {

    static BookResponse of(Book book) {
        return new BookResponse(
                book.getId(),
                book.getTitle(),
                book.getAuthor(),
                book.getIsbn(),
                book.getPublicationYear(),
                book.getCreatedAt(),
                book.getVersion());
    }

    /** The ETag value, unquoted: Spring quotes it. */
    public String etag() {
        return Long.toString(version);
    }
}
