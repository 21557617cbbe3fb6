package dev.slimlab.bookshelf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimlab.bookshelf.book.BookResponse;
import dev.slimlab.bookshelf.book.SeedBooks;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/** The whole app on a real random port, as a browser or a lab's HTTP client meets it. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class BookshelfApplicationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private RestTestClient http;

    @Test
    void servesThePageAndItsScript() {
        http.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).value(html -> assertThat(html).contains("<h1>Bookshelf</h1>", "app.js"));
        http.get().uri("/app.js").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(js -> assertThat(js).contains("api/books"));
    }

    @Test
    void reportsReadyWithTheSeededShelf() {
        http.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/api/books?title=effective").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.content[0].isbn").isEqualTo("9780134685991");
    }

    @Test
    void createsReadsAndDeletesABookOverHttp() {
        var created = http.post().uri("/api/books")
                .contentType(MediaType.APPLICATION_JSON)
                .body("""
                        {"title": "Code Complete", "author": "Steve McConnell", "isbn": "978-0-7356-1967-8", "publicationYear": 2004}""")
                .exchange()
                .expectStatus().isCreated()
                .returnResult(BookResponse.class);
        BookResponse book = created.getResponseBody();
        URI location = created.getResponseHeaders().getLocation();
        assertThat(book).isNotNull();
        assertThat(location).hasToString("http://localhost:" + port + "/api/books/" + book.id());

        http.get().uri(location).exchange()
                .expectStatus().isOk()
                .expectBody(BookResponse.class).isEqualTo(book);
        http.get().uri("/api/books").exchange()
                .expectBody().jsonPath("$.page.totalElements").isEqualTo(SeedBooks.BOOKS.size() + 1);

        http.delete().uri(location).exchange().expectStatus().isNoContent();
        http.get().uri(location).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
