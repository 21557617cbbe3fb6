package dev.slimlab.bookshelf.book;

import java.time.Instant;

/** What the API returns for a book; keeps the JPA entity out of the JSON contract. */
public record BookResponse(
        long id, String title, String author, String isbn, int publicationYear, Instant createdAt) {

    static BookResponse of(Book book) {
        return new BookResponse(
                book.getId(),
                book.getTitle(),
                book.getAuthor(),
                book.getIsbn(),
                book.getPublicationYear(),
                book.getCreatedAt());
    }
}
