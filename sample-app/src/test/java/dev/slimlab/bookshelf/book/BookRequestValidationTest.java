package dev.slimlab.bookshelf.book;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Year;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BookRequestValidationTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    /** The fields the API would reject in this request; shared with the seed-data test. */
    static Set<String> invalidFields(BookRequest request) {
        return VALIDATOR.validate(request).stream()
                .map(ConstraintViolation::getPropertyPath)
                .map(Object::toString)
                .collect(Collectors.toSet());
    }

    private static BookRequest withIsbn(String isbn) {
        return new BookRequest("Effective Java", "Joshua Bloch", isbn, 2018);
    }

    private static BookRequest withYear(Integer year) {
        return new BookRequest("Effective Java", "Joshua Bloch", "9780134685991", year);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9780134685991", "978-0-13-468599-1", "978 0 13 468599 1"})
    void acceptsIsbn13TypedWithOrWithoutSeparators(String isbn) {
        assertThat(invalidFields(withIsbn(isbn))).isEmpty();
        assertThat(withIsbn(isbn).normalizedIsbn()).isEqualTo("9780134685991");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "9780134685992", // wrong check digit
        "978013468599", // 12 digits
        "97801346859911", // 14 digits
        "0134685997", // a valid ISBN-10 is not an ISBN-13
        "ISBN 9780134685991", // letters the ISBN check alone would strip
        "978O134685991", // letter O for zero
        "-9780134685991", // separators only between digits
        ""
    })
    void rejectsAnythingButAValidIsbn13(String isbn) {
        assertThat(invalidFields(withIsbn(isbn))).containsExactly("isbn");
    }

    @Test
    void publicationYearRunsFromGutenbergToNextYear() {
        int nextYear = Year.now().getValue() + 1;
        assertThat(invalidFields(withYear(1450))).isEmpty();
        assertThat(invalidFields(withYear(nextYear))).isEmpty();
        assertThat(invalidFields(withYear(1449))).containsExactly("publicationYear");
        assertThat(invalidFields(withYear(nextYear + 1))).containsExactly("publicationYear");
        assertThat(invalidFields(withYear(null))).containsExactly("publicationYear");
    }

    @Test
    void titleAndAuthorAreRequiredAndBounded() {
        assertThat(invalidFields(new BookRequest(" ", "", "9780134685991", 2018)))
                .containsExactlyInAnyOrder("title", "author");
        String longTitle = "x".repeat(BookRequest.MAX_TITLE_LENGTH + 1);
        String longAuthor = "y".repeat(BookRequest.MAX_AUTHOR_LENGTH + 1);
        assertThat(invalidFields(new BookRequest(longTitle, longAuthor, "9780134685991", 2018)))
                .containsExactlyInAnyOrder("title", "author");
        assertThat(invalidFields(new BookRequest(null, null, null, null)))
                .containsExactlyInAnyOrder("title", "author", "isbn", "publicationYear");
    }
}
