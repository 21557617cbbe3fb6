package dev.slimlab.bookshelf.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Clients racing each other over real HTTP, with every request committing for real (no test
 * transaction to roll back). Each race runs several rounds so that the requests really overlap;
 * each checks that no request got a 500, that nothing was lost or duplicated, and that the log
 * holds no ERROR.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class BookRaceTest {

    private static final int ROUNDS = 5;
    private static final int CLIENTS = 8;
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    @LocalServerPort
    private int port;

    @Autowired
    private BookRepository books;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    private long shelfBefore;

    @BeforeEach
    void countTheShelf() {
        shelfBefore = books.count();
    }

    /** Leaves the shared shelf as the other tests expect it: only the seeded books. */
    @AfterEach
    void removeWhatTheRacesLeft() {
        pool.shutdownNow();
        books.findAll().stream()
                .filter(book -> book.getIsbn().startsWith("979"))
                .forEach(books::delete);
    }

    /** A valid ISBN-13 that no seeded book has: 979 (seeds all start with 978), then the serial. */
    static String testIsbn(int serial) {
        String first12 = "9791" + "%08d".formatted(serial);
        int sum = 0;
        for (int i = 0; i < 12; i++) {
            sum += (first12.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
        }
        return first12 + (10 - sum % 10) % 10;
    }

    private static String bookJson(String title, String isbn) {
        return """
                {"title": "%s", "author": "Race Tester", "isbn": "%s", "publicationYear": 2020}"""
                .formatted(title, isbn);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, BodyHandlers.ofString());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private HttpRequest post(String json) {
        return request("/api/books").header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)).build();
    }

    private HttpRequest put(long id, String json, String ifMatch) {
        HttpRequest.Builder builder = request("/api/books/" + id).header("Content-Type", "application/json");
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        return builder.PUT(BodyPublishers.ofString(json)).build();
    }

    private HttpRequest delete(long id, String ifMatch) {
        HttpRequest.Builder builder = request("/api/books/" + id);
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        return builder.DELETE().build();
    }

    private long create(String title, String isbn) {
        HttpResponse<String> created = send(post(bookJson(title, isbn)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Matcher id = ID.matcher(created.body());
        assertThat(id.find()).isTrue();
        return Long.parseLong(id.group(1));
    }

    /** Sends every request at once (the threads wait at a gate) and returns the responses in order. */
    private List<HttpResponse<String>> race(List<HttpRequest> requests) {
        CountDownLatch gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (HttpRequest request : requests) {
            Supplier<HttpResponse<String>> call = () -> {
                try {
                    gate.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return send(request);
            };
            futures.add(CompletableFuture.supplyAsync(call, pool));
        }
        gate.countDown();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private static List<Integer> statuses(List<HttpResponse<String>> responses) {
        return responses.stream().map(HttpResponse::statusCode).toList();
    }

    private static void assertNoServerErrors(List<HttpResponse<String>> responses) {
        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).as(response.body()).isLessThan(500);
        }
    }

    private static void assertNoErrorLogged(CapturedOutput output) {
        assertThat(output.getOut()).doesNotContain(" ERROR ", "\tat ");
    }

    @Test
    void parallelDeletesOfOneBookGiveOne204AndOnly404s(CapturedOutput output) {
        for (int round = 0; round < ROUNDS; round++) {
            long id = create("Delete race " + round, testIsbn(100 + round));
            long before = books.count();

            List<HttpResponse<String>> responses = race(
                    java.util.stream.IntStream.range(0, CLIENTS).mapToObj(i -> delete(id, null)).toList());

            assertNoServerErrors(responses);
            assertThat(statuses(responses)).filteredOn(s -> s == 204).hasSize(1);
            assertThat(statuses(responses)).filteredOn(s -> s != 204).containsOnly(404);
            assertThat(books.count()).isEqualTo(before - 1);
            assertThat(books.existsById(id)).isFalse();
        }
        assertThat(books.count()).isEqualTo(shelfBefore);
        assertNoErrorLogged(output);
    }

    @Test
    void parallelCreatesOfOneIsbnGiveOne201AndConflictsThatNameTheWinner(CapturedOutput output) {
        for (int round = 0; round < ROUNDS; round++) {
            String isbn = testIsbn(200 + round);
            long before = books.count();

            List<HttpResponse<String>> responses = race(java.util.stream.IntStream.range(0, CLIENTS)
                    .mapToObj(i -> post(bookJson("Create race " + i, isbn)))
                    .toList());

            assertNoServerErrors(responses);
            assertThat(statuses(responses)).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses(responses)).filteredOn(s -> s != 201).containsOnly(409);
            long winner = books.findByIsbn(isbn).orElseThrow().getId();
            for (HttpResponse<String> response : responses) {
                if (response.statusCode() == 409) {
                    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                    assertThat(response.body())
                            .contains("\"isbn\":\"" + isbn + "\"")
                            .contains("\"existingBookId\":" + winner);
                }
            }
            assertThat(books.count()).isEqualTo(before + 1);
        }
        assertThat(books.count()).isEqualTo(shelfBefore + ROUNDS);
        assertNoErrorLogged(output);
    }

    @Test
    void aPutRacingADeleteEndsIn404Or409AndTheBookIsGone(CapturedOutput output) {
        for (int round = 0; round < ROUNDS * 2; round++) {
            String isbn = testIsbn(300 + round);
            long id = create("Put against delete " + round, isbn);
            long before = books.count();

            List<HttpResponse<String>> responses = race(List.of(
                    put(id, bookJson("Renamed in a race " + round, isbn), null),
                    delete(id, null)));

            assertNoServerErrors(responses);
            assertThat(responses.get(0).statusCode()).as(responses.get(0).body()).isIn(200, 404, 409);
            assertThat(responses.get(1).statusCode()).as(responses.get(1).body()).isEqualTo(204);
            assertThat(books.count()).isEqualTo(before - 1);
            assertThat(books.existsById(id)).isFalse();
        }
        assertThat(books.count()).isEqualTo(shelfBefore);
        assertNoErrorLogged(output);
    }

    @Test
    void parallelPutsWithTheSameIfMatchLetExactlyOneWin(CapturedOutput output) {
        for (int round = 0; round < ROUNDS; round++) {
            String isbn = testIsbn(400 + round);
            long id = create("Put race " + round, isbn);
            String etag = send(request("/api/books/" + id).GET().build()).headers().firstValue("ETag").orElseThrow();
            long before = books.count();

            List<HttpResponse<String>> responses = race(java.util.stream.IntStream.range(0, CLIENTS)
                    .mapToObj(i -> put(id, bookJson("Writer " + i, isbn), etag))
                    .toList());

            assertNoServerErrors(responses);
            assertThat(statuses(responses)).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses(responses)).filteredOn(s -> s != 200).containsOnly(412);
            HttpResponse<String> winner = responses.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow();
            HttpResponse<String> stored = send(request("/api/books/" + id).GET().build());
            assertThat(stored.body()).isEqualTo(winner.body());
            assertThat(stored.headers().firstValue("ETag")).isEqualTo(winner.headers().firstValue("ETag")).isNotEqualTo(etag);
            assertThat(books.count()).isEqualTo(before);
        }
        assertThat(books.count()).isEqualTo(shelfBefore + ROUNDS);
        assertNoErrorLogged(output);
    }

    @Test
    void aStaleIfMatchIs412AndChangesNothing(CapturedOutput output) {
        String isbn = testIsbn(500);
        long id = create("Read, modify, write", isbn);
        HttpResponse<String> read = send(request("/api/books/" + id).GET().build());
        String first = read.headers().firstValue("ETag").orElseThrow();
        assertThat(first).matches("\"\\d+\"");

        HttpResponse<String> updated = send(put(id, bookJson("Second edition", isbn), first));
        assertThat(updated.statusCode()).isEqualTo(200);
        String second = updated.headers().firstValue("ETag").orElseThrow();
        assertThat(second).isNotEqualTo(first);
        long before = books.count();

        HttpResponse<String> stalePut = send(put(id, bookJson("Lost update", isbn), first));
        assertThat(stalePut.statusCode()).isEqualTo(412);
        assertThat(stalePut.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        HttpResponse<String> staleDelete = send(delete(id, first));
        assertThat(staleDelete.statusCode()).isEqualTo(412);

        assertThat(books.count()).isEqualTo(before);
        assertThat(books.findById(id)).get().extracting(Book::getTitle).isEqualTo("Second edition");

        assertThat(send(delete(id, second)).statusCode()).isEqualTo(204);
        assertThat(books.count()).isEqualTo(before - 1);
        assertThat(books.count()).isEqualTo(shelfBefore);
        assertNoErrorLogged(output);
    }
}
