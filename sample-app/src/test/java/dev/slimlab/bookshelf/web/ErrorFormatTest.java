package dev.slimlab.bookshelf.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The errors that never reach a controller: the error page Tomcat forwards to, the TRACE method
 * and requests Tomcat itself rejects. They are sent over a raw socket, byte for byte, because an
 * HTTP client library would refuse to send most of them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ErrorFormatTest {

    @LocalServerPort
    private int port;

    record RawResponse(int status, String head, String body) {

        String header(String name) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    /** Sends the request line and headers as given, with Connection: close, and reads the whole answer. */
    private RawResponse raw(String requestLine, String... headers) throws IOException {
        return rawWithBody(requestLine, "", headers);
    }

    private RawResponse rawWithBody(String requestLine, String body, String... headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            request.append("\r\n").append(body);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String response = readResponse(socket.getInputStream());
            int split = response.indexOf("\r\n\r\n");
            String head = split < 0 ? response : response.substring(0, split);
            return new RawResponse(Integer.parseInt(head.substring(9, 12)), head, split < 0 ? "" : response.substring(split + 4));
        }
    }

    /**
     * Reads until the response is complete rather than until the connection closes: after refusing
     * a large body, Tomcat keeps the connection open a while to read (and discard) the rest of it.
     */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder response = new StringBuilder();
        byte[] buffer = new byte[8192];
        int n;
        while (!isComplete(response.toString()) && (n = in.read(buffer)) >= 0) {
            response.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return new String(response.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static boolean isComplete(String response) {
        int split = response.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        String head = response.substring(0, split).toLowerCase(Locale.ROOT);
        String body = response.substring(split + 4);
        if (head.contains("transfer-encoding: chunked")) {
            return body.endsWith("0\r\n\r\n");
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(head);
        return length.find() && body.length() >= Integer.parseInt(length.group(1));
    }

    private static void assertProblem(RawResponse response, int status) {
        assertThat(response.status()).as(response.head()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.head()).startsWith("application/problem+json");
        assertThat(response.body()).contains("\"status\":" + status).contains("\"title\":");
        assertThat(response.body()).doesNotContain("<html", "Exception", "\tat ", "Tomcat");
    }

    @Test
    void traceIsA405Problem() throws IOException {
        RawResponse response = raw("TRACE /api/books HTTP/1.1");
        assertProblem(response, 405);
        assertThat(response.header("Allow")).doesNotContain("TRACE").contains("GET");
    }

    @Test
    void theErrorPathItselfIsA404Problem() throws IOException {
        assertProblem(raw("GET /error HTTP/1.1"), 404);
        assertProblem(raw("POST /error HTTP/1.1", "Content-Length: 0"), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /api/books/% HTTP/1.1", // an incomplete percent escape
        "GET /api/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1", // encoded dot segments above the root
        "GET /api/books%00 HTTP/1.1", // an encoded NUL
        "GET /api/books/%2F1 HTTP/1.1", // an encoded slash
        "GET /api/books?q=|{} HTTP/1.1", // characters a request target must not hold
        "GET /api/books HTTP/1.1\r\nBad Header Name: x" // a header name with spaces
    })
    void urlsTomcatRejectsAre400Problems(String requestLine) throws IOException {
        assertProblem(raw(requestLine), 400);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GARBAGE | 400", // no request line at all
        "GET /api/books HTTP/3.0 | 505", // a version HTTP/1.1 does not speak
        "GET /api/books HTTP/1.1 + Transfer-Encoding: gzip | 501", // a transfer coding Tomcat lacks
        "GET /api/books HTTP/1.1 + Expect: 200-ok | 417" // an expectation no server can meet
    })
    void requestsTomcatCannotServeAreProblemsToo(String request, int status) throws IOException {
        String[] lines = request.split(" \\+ ");
        assertProblem(raw(lines[0], java.util.Arrays.copyOfRange(lines, 1, lines.length)), status);
    }

    @Test
    void headersOverTomcatsLimitAreA400Problem() throws IOException {
        assertProblem(raw("GET /api/books HTTP/1.1", "X-Padding: " + "a".repeat(20_000)), 400);
    }

    @Test
    void anErrorWithoutABodyGetsAProblemBody() throws IOException {
        // Actuator answers an unknown health component with a bare 404.
        assertProblem(raw("GET /actuator/health/nope HTTP/1.1"), 404);
        assertThat(raw("GET /actuator/health/readiness HTTP/1.1").status()).isEqualTo(200);
    }

    @Test
    void anUnknownPathWithAnHtmlAcceptIsStillAProblem() throws IOException {
        assertProblem(raw("GET /no/such/page HTTP/1.1", "Accept: text/html"), 404);
    }

    @Test
    void aDeclaredHugeBodyIsRefusedWithoutReadingIt() throws IOException {
        // Declares 50 MB and sends the first 64 KiB: the answer must come without the rest.
        RawResponse response = rawWithBody("POST /api/books HTTP/1.1", " ".repeat(64 * 1024),
                "Content-Type: application/json", "Content-Length: 50000000");
        assertProblem(response, 413);
        assertThat(response.body()).contains("\"maxBytes\":8192");
    }

    @Test
    void aChunkedBodyIsReadOnlyUpToTheCap() throws IOException {
        String chunk = " ".repeat(4096);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            body.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        body.append("0\r\n\r\n");
        RawResponse response = rawWithBody("POST /api/books HTTP/1.1", body.toString(),
                "Content-Type: application/json", "Transfer-Encoding: chunked");
        assertProblem(response, 413);
    }

    @Test
    void clientErrorsAreNotLoggedAsServerErrors(CapturedOutput output) throws IOException {
        raw("TRACE /api/books HTTP/1.1");
        raw("GET /error HTTP/1.1");
        raw("GET /api/books/% HTTP/1.1");
        raw("GET /api/books?q=|{} HTTP/1.1");
        raw("GET /api/books HTTP/1.1", "X-Padding: " + "a".repeat(20_000));
        rawWithBody("POST /api/books HTTP/1.1", " ".repeat(64 * 1024), "Content-Type: application/json", "Content-Length: 50000000");
        assertThat(output.getOut()).doesNotContain(" ERROR ", "\tat ");
    }
}
