package dev.slimlab.bookshelf.book;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.ISBN;

/**
 * What a client sends to create or replace a book.
 *
 * <p>The ISBN may be typed with hyphens or spaces ("978-0-13-468599-1"); the pattern keeps out
 * anything else, because Hibernate's {@link ISBN} check alone would silently drop letters.
 */
public record BookRequest(
        @NotBlank @Size(max = MAX_TITLE_LENGTH) String title,
        @NotBlank @Size(max = MAX_AUTHOR_LENGTH) String author,
        @NotNull
        @Pattern(regexp = "[0-9][0-9 -]*[0-9]", message = "must contain only digits, hyphens and spaces")
        @ISBN(type = ISBN.Type.ISBN_13, message = "must be a valid ISBN-13 (13 digits with a correct check digit)")
        String isbn,
        @NotNull @PublicationYear Integer publicationYear) {

    public static final int MAX_TITLE_LENGTH = 200;
    public static final int MAX_AUTHOR_LENGTH = 120;

    /** The ISBN as 13 bare digits, the form it is stored and compared in. */
    public String normalizedIsbn() {
        return isbn.replaceAll("[^0-9]", "");
    }
}
