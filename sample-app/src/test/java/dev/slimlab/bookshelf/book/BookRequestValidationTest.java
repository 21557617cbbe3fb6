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

    /** "field message" for every violation, to check which rule fired. */
    static Set<String> violations(BookRequest request) {
        return VALIDATOR.validate(request).stream()
                .map(v -> v.getPropertyPath() + " " + v.getMessage())
                .collect(Collectors.toSet());
    }

    private static BookRequest withText(String text) {
        return new BookRequest(text, text, "9780134685991", 2018);
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

    @ParameterizedTest
    @ValueSource(strings = {
        "9791000000008", // 979-10, France
        "979-8-00-000000-7", // 979-8, United States
        "9789999999991"
    })
    void acceptsBothBooklandPrefixes(String isbn) {
        assertThat(invalidFields(withIsbn(isbn))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000", // the check digit is right, but no book has it
        "1234567890128", // a valid EAN-13 outside the book prefixes
        "9770000000003", // 977 is for periodicals (ISSN)
        "979-0-000-00000-1" // 979-0 is for printed music (ISMN)
    })
    void rejectsIsbnsWithARightCheckDigitThatNoBookCanHave(String isbn) {
        assertThat(violations(withIsbn(isbn)))
                .containsExactly("isbn must be an ISBN-13 starting with 978 or 979 (979-0 is for printed music)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"978--0134685991", "978 - 0134685991", "978_0134685991", "978\u00A00134685991"})
    void rejectsSeparatorsOtherThanOneHyphenOrSpace(String isbn) {
        assertThat(invalidFields(withIsbn(isbn))).containsExactly("isbn");
    }

    @Test
    void boundsTheIsbnLength() {
        assertThat(invalidFields(withIsbn("978-0-13-468599-1"))).isEmpty();
        assertThat(violations(withIsbn("9".repeat(5000)))).containsExactly("isbn size must be between 0 and 17");
        assertThat(violations(withIsbn("978-0-1-3-4-6-8-5-9-9-1"))).containsExactly("isbn size must be between 0 and 17");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        " ", "\t", "\u00A0", // no-break space
        "\u2003", // em space
        "\u3000", // ideographic space
        "\u200B", // zero-width space
        "\u00A0\u2007\u202F", // the three no-break spaces Java's isWhitespace leaves out
        "\uFEFF", // byte order mark
        " \u2060 " // word joiner
    })
    void blankTextInAnyScriptIsRejected(String blank) {
        assertThat(violations(withText(blank))).contains("title must not be blank", "author must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Effective\u0000Java", "Two\nlines", "Carriage\rreturn", "Tab\there", "Bell\u0007", "Escape\u001B[31m",
        "Delete\u007F", "C1 next line\u0085", "Right-to-left override \u202Eavaj", "Isolate \u2066x\u2069",
        "Line\u2028separator", "Paragraph\u2029separator", "Lone \uD800 surrogate", "Non\uFFFEcharacter"
    })
    void controlCharactersAreRejected(String text) {
        assertThat(violations(withText(text))).containsExactlyInAnyOrder(
                "title must not contain control characters (such as line breaks, tabs or direction overrides)",
                "author must not contain control characters (such as line breaks, tabs or direction overrides)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Café Society", "日本語の本", "Война и мир", "Books \uD83D\uDCDA", // an emoji as a surrogate pair
        "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", // Persian with a zero-width non-joiner
        "Coder \uD83D\uDC69\u200D\uD83D\uDCBB", // an emoji joined with a zero-width joiner
        "\u05E2\u05D1\u05E8\u05D9\u05EA \u200F(2)", // Hebrew with a right-to-left mark
        "Jean\u00A0Dupont" // a no-break space between words
    })
    void realTextInAnyScriptIsAccepted(String text) {
        assertThat(invalidFields(withText(text))).isEmpty();
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
