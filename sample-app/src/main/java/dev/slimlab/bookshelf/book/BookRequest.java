package dev.slimlab.bookshelf.book;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * What a client sends to create or replace a book. Every field is required and bounded. Title and
 * author are {@link PlainText}; the ISBN may be typed with hyphens or spaces
 * ("978-0-13-468599-1"), see {@link Isbn13}. The JSON must give each field its own type: the
 * mapper is configured not to turn numbers into text or a fraction into a year.
 */
public record BookRequest(
        @NotNull @Size(max = MAX_TITLE_LENGTH) @PlainText String title,
        @NotNull @Size(max = MAX_AUTHOR_LENGTH) @PlainText String author,
        @NotNull @Size(max = Isbn13.MAX_LENGTH) @Isbn13 String isbn,
        @NotNull @PublicationYear Integer publicationYear) {

    public static final int MAX_TITLE_LENGTH = 200;
    public static final int MAX_AUTHOR_LENGTH = 120;

    /** The ISBN as 13 bare digits, the form it is stored and compared in. */
    public String normalizedIsbn() {
        return isbn.replaceAll("[^0-9]", "");
    }
}
