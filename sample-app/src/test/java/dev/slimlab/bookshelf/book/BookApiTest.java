package dev.slimlab.bookshelf.book;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.transaction.annotation.Transactional;

/**
 * The API against the real app and its seeded H2 database. Each test runs in a transaction that
 * is rolled back, so every test sees exactly the seeded shelf.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Transactional
class BookApiTest {

    private static final String EFFECTIVE_JAVA_ISBN = "9780134685991";

    @Autowired
    private MockMvcTester mvc;

    @Autowired
    private BookRepository books;

    private long idOf(String isbn) {
        return books.findByIsbn(isbn).orElseThrow().getId();
    }

    private static String json(String title, String author, String isbn, Object year) {
        return """
                {"title": "%s", "author": "%s", "isbn": "%s", "publicationYear": %s}"""
                .formatted(title, author, isbn, year);
    }

    private MvcTestResult post(String body) {
        return mvc.post().uri("/api/books").contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

    private MvcTestResult put(long id, String body) {
        return mvc.put().uri("/api/books/{id}", id).contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

    private static void assertProblem(MvcTestResult result, HttpStatus status, String title) {
        assertThat(result).hasStatus(status).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(status.value());
        assertThat(result).bodyJson().extractingPath("$.title").isEqualTo(title);
        assertThat(result).bodyText().doesNotContain("Exception", "\tat ", "trace");
    }

    @Nested
    class Listing {

        @Test
        void firstPageOfTheSeededShelfSortedByTitle() {
            MvcTestResult result = mvc.get().uri("/api/books").exchange();
            assertThat(result).hasStatusOk().hasContentType(MediaType.APPLICATION_JSON);
            assertThat(result).bodyJson().extractingPath("$.page.totalElements").isEqualTo(SeedBooks.BOOKS.size());
            assertThat(result).bodyJson().extractingPath("$.page.size").isEqualTo(20);
            assertThat(result).bodyJson().extractingPath("$.page.number").isEqualTo(0);
            assertThat(result).bodyJson().extractingPath("$.content[0].title").isEqualTo("Accelerate");
            assertThat(result).bodyJson().extractingPath("$.content[0].createdAt").isNotNull();
        }

        @Test
        void pagesThroughTheShelf() {
            MvcTestResult result = mvc.get().uri("/api/books?page=1&size=5&sort=title").exchange();
            assertThat(result).hasStatusOk();
            assertThat(result).bodyJson().extractingPath("$.content.length()").isEqualTo(5);
            assertThat(result).bodyJson().extractingPath("$.page.number").isEqualTo(1);
            assertThat(result).bodyJson().extractingPath("$.page.totalPages").isEqualTo(4);
            assertThat(result).bodyJson().extractingPath("$.content[0].title").isEqualTo("Designing Data-Intensive Applications");
        }

        @Test
        void sortsDescending() {
            assertThat(mvc.get().uri("/api/books?sort=publicationYear,desc&size=1"))
                    .bodyJson().extractingPath("$.content[0].title").isEqualTo("Building Microservices");
        }

        @Test
        void filtersByAuthorAndTitleSubstrings() {
            assertThat(mvc.get().uri("/api/books?author=fowler"))
                    .bodyJson().extractingPath("$.content[*].title")
                    .asArray().containsExactly("Patterns of Enterprise Application Architecture", "Refactoring");
            assertThat(mvc.get().uri("/api/books?title=JAVA"))
                    .bodyJson().extractingPath("$.content[*].title")
                    .asArray().containsExactly("Effective Java", "Java Concurrency in Practice", "Java Performance");
            assertThat(mvc.get().uri("/api/books?title=java&author=goetz"))
                    .bodyJson().extractingPath("$.content[*].title")
                    .asArray().containsExactly("Java Concurrency in Practice");
        }

        @Test
        void capsThePageSize() {
            assertThat(mvc.get().uri("/api/books?size=5000"))
                    .bodyJson().extractingPath("$.page.size").isEqualTo(100);
        }

        @Test
        void aPageBeyondTheLastIsEmpty() {
            MvcTestResult result = mvc.get().uri("/api/books?page=50&size=10").exchange();
            assertThat(result).hasStatusOk();
            assertThat(result).bodyJson().extractingPath("$.content").asArray().isEmpty();
            assertThat(result).bodyJson().extractingPath("$.page.totalElements").isEqualTo(SeedBooks.BOOKS.size());
        }

        @ParameterizedTest
        @CsvSource({
            "page=2147483647&size=100, page", // the offset overflows an int
            "page=21474837&size=100, page", // just past the largest offset
            "page=999999999999, page", // not an int at all
            "page=-1, page",
            "page=1.5, page",
            "page=x, page",
            "size=0, size",
            "size=-5, size",
            "size=99999999999, size",
            "size=ten, size"
        })
        void aPageOrSizeThatCannotBeServedIs400NamingIt(String query, String parameter) {
            MvcTestResult result = mvc.get().uri("/api/books?" + query).exchange();
            assertThat(result).hasStatus(HttpStatus.BAD_REQUEST).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(result).bodyJson().extractingPath("$.detail").asString().contains("'" + parameter + "'");
        }

        @Test
        void aFilterLongerThanAnyValueIs400NamingIt() {
            MvcTestResult result = mvc.get().uri("/api/books?title=" + "x".repeat(BookRequest.MAX_TITLE_LENGTH + 1)).exchange();
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid query parameter");
            assertThat(result).bodyJson().extractingPath("$.parameter").isEqualTo("title");
            assertThat(mvc.get().uri("/api/books?author=" + "y".repeat(BookRequest.MAX_AUTHOR_LENGTH + 1)))
                    .hasStatus(HttpStatus.BAD_REQUEST).bodyJson().extractingPath("$.parameter").isEqualTo("author");
        }

        @Test
        void theLargestServablePageIsEmptyRatherThanAnError() {
            assertThat(mvc.get().uri("/api/books?page=21474836&size=100")).hasStatusOk()
                    .bodyJson().extractingPath("$.content").asArray().isEmpty();
        }

        @Test
        void rejectsAnUnknownSortProperty() {
            MvcTestResult result = mvc.get().uri("/api/books?sort=password").exchange();
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid sort");
            assertThat(result).bodyJson().extractingPath("$.sortable").asArray().contains("title", "author");
        }
    }

    @Nested
    class Reading {

        @Test
        void getsABookById() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = mvc.get().uri("/api/books/{id}", id).exchange();
            assertThat(result).hasStatusOk();
            assertThat(result).bodyJson().extractingPath("$.id").isEqualTo((int) id);
            assertThat(result).bodyJson().extractingPath("$.title").isEqualTo("Effective Java");
            assertThat(result).bodyJson().extractingPath("$.author").isEqualTo("Joshua Bloch");
            assertThat(result).bodyJson().extractingPath("$.isbn").isEqualTo(EFFECTIVE_JAVA_ISBN);
            assertThat(result).bodyJson().extractingPath("$.publicationYear").isEqualTo(2018);
        }

        @Test
        void unknownIdIs404() {
            MvcTestResult result = mvc.get().uri("/api/books/424242").exchange();
            assertProblem(result, HttpStatus.NOT_FOUND, "Book not found");
            assertThat(result).bodyJson().extractingPath("$.detail").isEqualTo("No book has id 424242.");
        }

        @Test
        void aClientThatAcceptsOnlyProblemsStillGetsThe404() {
            MvcTestResult result = mvc.get().uri("/api/books/424242").accept(MediaType.APPLICATION_PROBLEM_JSON).exchange();
            assertProblem(result, HttpStatus.NOT_FOUND, "Book not found");
        }

        @Test
        void aClientThatAcceptsOnlyProblemsGetsItsValidationErrors() {
            MvcTestResult result = mvc.post().uri("/api/books").accept(MediaType.APPLICATION_PROBLEM_JSON)
                    .contentType(MediaType.APPLICATION_JSON).content("{}").exchange();
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid book");
        }

        @Test
        void aBookIsNeverSentAsAProblem() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = mvc.get().uri("/api/books/{id}", id).accept(MediaType.APPLICATION_PROBLEM_JSON).exchange();
            assertProblem(result, HttpStatus.NOT_ACCEPTABLE, "Not Acceptable");
            assertThat(mvc.get().uri("/api/books").accept(MediaType.APPLICATION_PROBLEM_JSON))
                    .hasStatus(HttpStatus.NOT_ACCEPTABLE);
        }

        @Test
        void aBookIsJsonForAClientThatAcceptsJsonAndProblems() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(mvc.get().uri("/api/books/{id}", id).header("Accept", "application/problem+json, application/json"))
                    .hasStatusOk().hasContentType(MediaType.APPLICATION_JSON);
        }

        @Test
        void nonNumericIdIs400() {
            assertProblem(mvc.get().uri("/api/books/abc").exchange(), HttpStatus.BAD_REQUEST, "Bad Request");
        }

        @Test
        void unknownRouteIs404Problem() {
            assertProblem(mvc.get().uri("/api/authors").exchange(), HttpStatus.NOT_FOUND, "Not Found");
        }

        @Test
        void wrongMethodIs405Problem() {
            assertProblem(mvc.delete().uri("/api/books").exchange(), HttpStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
    }

    @Nested
    class Creating {

        @Test
        void createsABookWith201AndLocation() {
            MvcTestResult result = post(json("Code Complete", "Steve McConnell", "978-0-7356-1967-8", 2004));
            assertThat(result).hasStatus(HttpStatus.CREATED).hasContentType(MediaType.APPLICATION_JSON);
            assertThat(result).bodyJson().extractingPath("$.isbn").isEqualTo("9780735619678");
            assertThat(result).bodyJson().extractingPath("$.createdAt").isNotNull();

            long id = idOf("9780735619678");
            assertThat(result).hasHeader("Location", "http://localhost/api/books/" + id);
            assertThat(result).hasHeader("ETag", "\"0\"");
            assertThat(mvc.get().uri("/api/books/{id}", id))
                    .bodyJson().extractingPath("$.title").isEqualTo("Code Complete");
            assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size() + 1);
        }

        @Test
        void theLocationIsTheNewBooksUrlWhateverTheQueryString() {
            MvcTestResult result = mvc.post().uri("/api/books?note=a%20b&x=%25")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(json("Code Complete", "Steve McConnell", "978-0-7356-1967-8", 2004))
                    .exchange();
            assertThat(result).hasStatus(HttpStatus.CREATED)
                    .hasHeader("Location", "http://localhost/api/books/" + idOf("9780735619678"));
        }

        @Test
        void invalidFieldsAre400WithAMessagePerField() {
            MvcTestResult result = post(json(" ", "Nobody", "978-0-13-468599-2", 1200));
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid book");
            assertThat(result).bodyJson().extractingPath("$.errors[*].field")
                    .asArray().containsExactly("isbn", "publicationYear", "title");
            assertThat(result).bodyJson().extractingPath("$.errors[?(@.field == 'isbn')].message")
                    .asArray().singleElement().asString().contains("ISBN-13");
            assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size());
        }

        @Test
        void missingFieldsAre400() {
            MvcTestResult result = post("{}");
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid book");
            assertThat(result).bodyJson().extractingPath("$.errors[*].field")
                    .asArray().containsExactly("author", "isbn", "publicationYear", "title");
        }

        @Test
        void malformedJsonIs400() {
            assertProblem(post("{\"title\": "), HttpStatus.BAD_REQUEST, "Malformed request body");
            assertProblem(post(json("T", "A", EFFECTIVE_JAVA_ISBN, "\"next spring\"")),
                    HttpStatus.BAD_REQUEST, "Malformed request body");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004.5} | publicationYear",
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004.0} | publicationYear",
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": \"2004\"} | publicationYear",
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": true} | publicationYear",
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 99999999999} | publicationYear",
            "{\"title\": 1984, \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004} | title",
            "{\"title\": 19.84, \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004} | title",
            "{\"title\": \"T\", \"author\": true, \"isbn\": \"9780735619678\", \"publicationYear\": 2004} | author",
            "{\"title\": \"T\", \"author\": \"A\", \"isbn\": 9780735619678, \"publicationYear\": 2004} | isbn",
            "{\"title\": [\"T\"], \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004} | title",
            "{\"title\": {\"text\": \"T\"}, \"author\": \"A\", \"isbn\": \"9780735619678\", \"publicationYear\": 2004} | title"
        })
        void aValueOfTheWrongJsonTypeIs400NamingTheField(String body, String field) {
            MvcTestResult result = post(body);
            assertProblem(result, HttpStatus.BAD_REQUEST, "Malformed request body");
            assertThat(result).bodyJson().extractingPath("$.errors[*].field").asArray().containsExactly(field);
            assertThat(result).bodyText().doesNotContain("java.", "Integer", "String`");
            assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "\u00A0\u3000 | Author | 978-0-7356-1967-8 | title",
            "Title | \u200B | 978-0-7356-1967-8 | author",
            "Two\\nlines | Author | 978-0-7356-1967-8 | title", // an escaped line feed in the JSON
            "Title | Evil \u202E | 978-0-7356-1967-8 | author",
            "Title | Author | 0000000000000 | isbn"
        })
        void textAndIsbnGapsAre400NamingTheField(String title, String author, String isbn, String field) {
            MvcTestResult result = post(json(title, author, isbn, 2004));
            assertProblem(result, HttpStatus.BAD_REQUEST, "Invalid book");
            assertThat(result).bodyJson().extractingPath("$.errors[*].field").asArray().containsExactly(field);
        }

        @Test
        void aBodyOverTheCapIs413AndAddsNothing() {
            String padded = json("Code Complete", "Steve McConnell", "978-0-7356-1967-8", 2004)
                    .replace("{", "{" + " ".repeat(9000));
            MvcTestResult result = post(padded);
            assertProblem(result, HttpStatus.CONTENT_TOO_LARGE, "Request body too large");
            assertThat(result).bodyJson().extractingPath("$.maxBytes").isEqualTo(8192);
            assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size());
            assertThat(mvc.put().uri("/api/books/{id}", idOf(EFFECTIVE_JAVA_ISBN))
                    .contentType(MediaType.APPLICATION_JSON).content(padded)).hasStatus(HttpStatus.CONTENT_TOO_LARGE);
        }

        @Test
        void aBodyJustUnderTheCapIsRead() {
            String body = json("Code Complete", "Steve McConnell", "978-0-7356-1967-8", 2004);
            String padded = body.replace("{", "{" + " ".repeat(8192 - body.length()));
            assertThat(padded).hasSize(8192);
            assertThat(post(padded)).hasStatus(HttpStatus.CREATED);
        }

        @Test
        void wrongContentTypeIs415() {
            MvcTestResult result = mvc.post().uri("/api/books")
                    .contentType(MediaType.TEXT_PLAIN)
                    .content("Effective Java by Joshua Bloch")
                    .exchange();
            assertProblem(result, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
        }

        @Test
        void duplicateIsbnIs409NamingTheBookThatHasIt() {
            MvcTestResult result = post(json("Effective Java (copy)", "Someone", "978-0-13-468599-1", 2018));
            assertProblem(result, HttpStatus.CONFLICT, "Duplicate ISBN");
            assertThat(result).bodyJson().extractingPath("$.existingBookId").isEqualTo((int) idOf(EFFECTIVE_JAVA_ISBN));
            assertThat(result).bodyJson().extractingPath("$.isbn").isEqualTo(EFFECTIVE_JAVA_ISBN);
        }
    }

    @Nested
    class Replacing {

        @Test
        void replacesEveryField() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = put(id, json("Effective Java, 2nd ed.", "J. Bloch", "978-0-321-35668-0", 2008));
            assertThat(result).hasStatusOk();
            assertThat(result).bodyJson().extractingPath("$.id").isEqualTo((int) id);
            assertThat(result).bodyJson().extractingPath("$.isbn").isEqualTo("9780321356680");
            Book stored = books.findById(id).orElseThrow();
            assertThat(stored.getTitle()).isEqualTo("Effective Java, 2nd ed.");
            assertThat(stored.getAuthor()).isEqualTo("J. Bloch");
            assertThat(stored.getPublicationYear()).isEqualTo(2008);
        }

        @Test
        void mayKeepItsOwnIsbn() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(put(id, json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017))).hasStatusOk();
        }

        @Test
        void takingAnotherBooksIsbnIs409() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = put(id, json("Effective Java", "Joshua Bloch", "9780132350884", 2018));
            assertProblem(result, HttpStatus.CONFLICT, "Duplicate ISBN");
            assertThat(result).bodyJson().extractingPath("$.existingBookId").isEqualTo((int) idOf("9780132350884"));
        }

        @Test
        void unknownIdIs404() {
            assertProblem(put(424242, json("T", "A", "9780735619678", 2004)), HttpStatus.NOT_FOUND, "Book not found");
        }

        @Test
        void invalidFieldsAre400() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertProblem(put(id, json("T", "", EFFECTIVE_JAVA_ISBN, 2018)), HttpStatus.BAD_REQUEST, "Invalid book");
        }
    }

    @Nested
    @ExtendWith(OutputCaptureExtension.class)
    class Logging {

        @Test
        void clientMistakesAreNeitherErrorsNorStackTracesInTheLog(CapturedOutput output) {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(mvc.get().uri("/api/books?page=2147483647&size=100")).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(mvc.get().uri("/api/books?sort=password")).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(mvc.get().uri("/api/books/abc")).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(mvc.get().uri("/api/books/424242")).hasStatus(HttpStatus.NOT_FOUND);
            assertThat(post("{\"title\": ")).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(post(json("T", "A", EFFECTIVE_JAVA_ISBN, 2018.5))).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(post(json("T", "A", EFFECTIVE_JAVA_ISBN, 2018))).hasStatus(HttpStatus.CONFLICT);
            assertThat(post(" ".repeat(10_000))).hasStatus(HttpStatus.CONTENT_TOO_LARGE);
            assertThat(mvc.delete().uri("/api/books/{id}", id).header("If-Match", "\"9\"")).hasStatus(HttpStatus.PRECONDITION_FAILED);
            assertThat(mvc.put().uri("/api/books/{id}", id).contentType(MediaType.TEXT_PLAIN).content("x"))
                    .hasStatus(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
            assertThat(output.getOut()).doesNotContain(" ERROR ", "\tat ", "Exception:");
        }
    }

    @Nested
    class Versions {

        private String etagOf(long id) {
            return mvc.get().uri("/api/books/{id}", id).exchange().getResponse().getHeader("ETag");
        }

        private MvcTestResult putIfMatch(long id, String ifMatch, String body) {
            return mvc.put().uri("/api/books/{id}", id).header("If-Match", ifMatch)
                    .contentType(MediaType.APPLICATION_JSON).content(body).exchange();
        }

        @Test
        void readsCarryTheVersionAsAStrongETag() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = mvc.get().uri("/api/books/{id}", id).exchange();
            assertThat(result).hasStatusOk().hasHeader("ETag", "\"0\"");
            assertThat(result).bodyJson().extractingPath("$.version").isEqualTo(0);
        }

        @Test
        void aMatchingIfNoneMatchIs304() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(mvc.get().uri("/api/books/{id}", id).header("If-None-Match", etagOf(id)))
                    .hasStatus(HttpStatus.NOT_MODIFIED);
        }

        @Test
        void aPutWithTheCurrentETagSucceedsAndReturnsTheNextOne() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            MvcTestResult result = putIfMatch(id, etagOf(id), json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017));
            assertThat(result).hasStatusOk().hasHeader("ETag", "\"1\"");
            assertThat(etagOf(id)).isEqualTo("\"1\"");
        }

        @Test
        void aPutWithAStaleETagIs412AndChangesNothing() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(putIfMatch(id, "\"0\"", json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017))).hasStatusOk();
            MvcTestResult stale = putIfMatch(id, "\"0\"", json("Lost update", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2018));
            assertProblem(stale, HttpStatus.PRECONDITION_FAILED, "Book has changed");
            assertThat(books.findById(id)).get().extracting(Book::getTitle).isEqualTo("Effective Java");
        }

        @Test
        void weakOrMalformedETagsNeverMatch() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            String body = json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017);
            assertProblem(putIfMatch(id, "W/\"0\"", body), HttpStatus.PRECONDITION_FAILED, "Book has changed");
            assertProblem(putIfMatch(id, "0", body), HttpStatus.PRECONDITION_FAILED, "Book has changed");
            assertProblem(putIfMatch(id, "\"zero\"", body), HttpStatus.PRECONDITION_FAILED, "Book has changed");
        }

        @Test
        void aListOfETagsOrAWildcardMatches() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(putIfMatch(id, "\"7\", \"0\"", json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017)))
                    .hasStatusOk();
            assertThat(putIfMatch(id, "*", json("Effective Java", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2018)))
                    .hasStatusOk();
        }

        @Test
        void aDeleteWithAStaleETagIs412AndWithTheCurrentOne204() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertProblem(mvc.delete().uri("/api/books/{id}", id).header("If-Match", "\"5\"").exchange(),
                    HttpStatus.PRECONDITION_FAILED, "Book has changed");
            assertThat(books.existsById(id)).isTrue();
            assertThat(mvc.delete().uri("/api/books/{id}", id).header("If-Match", "\"0\"")).hasStatus(HttpStatus.NO_CONTENT);
            assertThat(books.existsById(id)).isFalse();
        }

        @Test
        void anUnknownIdIs404WhateverTheIfMatch() {
            assertProblem(mvc.delete().uri("/api/books/424242").header("If-Match", "\"0\"").exchange(),
                    HttpStatus.NOT_FOUND, "Book not found");
            assertProblem(putIfMatch(424242, "*", json("T", "A", "9780735619678", 2004)), HttpStatus.NOT_FOUND, "Book not found");
        }

        @Test
        void withoutIfMatchTheLastWriteWins() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(put(id, json("First", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017))).hasStatusOk();
            assertThat(put(id, json("Second", "Joshua Bloch", EFFECTIVE_JAVA_ISBN, 2017))).hasStatusOk();
            assertThat(books.findById(id)).get().extracting(Book::getTitle).isEqualTo("Second");
        }
    }

    @Nested
    class Deleting {

        @Test
        void deletesWith204ThenTheBookIsGone() {
            long id = idOf(EFFECTIVE_JAVA_ISBN);
            assertThat(mvc.delete().uri("/api/books/{id}", id)).hasStatus(HttpStatus.NO_CONTENT).body().isEmpty();
            assertProblem(mvc.get().uri("/api/books/{id}", id).exchange(), HttpStatus.NOT_FOUND, "Book not found");
            assertThat(books.count()).isEqualTo(SeedBooks.BOOKS.size() - 1);
        }

        @Test
        void unknownIdIs404() {
            assertProblem(mvc.delete().uri("/api/books/424242").exchange(), HttpStatus.NOT_FOUND, "Book not found");
        }
    }
}
