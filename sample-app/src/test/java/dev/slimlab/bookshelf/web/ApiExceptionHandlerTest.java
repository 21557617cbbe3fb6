package dev.slimlab.bookshelf.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The failures no valid request can provoke: they must still be problem details without internals. */
@WebMvcTest(controllers = ApiExceptionHandlerTest.FailingController.class)
@Import(ApiExceptionHandlerTest.FailingController.class)
@ExtendWith(OutputCaptureExtension.class)
class ApiExceptionHandlerTest {

    @RestController
    static class FailingController {

        @GetMapping("/fail/unexpected")
        String unexpected() {
            throw new IllegalStateException("secret internal state");
        }

        @GetMapping("/fail/disconnected")
        String disconnected() throws IOException {
            throw new ClientAbortException(new IOException("Broken pipe"));
        }

        @GetMapping("/fail/constraint")
        String constraint() {
            throw new DataIntegrityViolationException("NULL not allowed for column \"TITLE\"");
        }
    }

    @Autowired
    private MockMvcTester mvc;

    @Test
    void unexpectedErrorIs500WithoutInternals() {
        var result = mvc.get().uri("/fail/unexpected").exchange();
        assertThat(result).hasStatus(HttpStatus.INTERNAL_SERVER_ERROR).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.title").isEqualTo("Internal server error");
        assertThat(result).bodyText().doesNotContain("secret", "IllegalStateException", "\tat ");
    }

    @Test
    void aClientThatWentAwayIsNoServerError(CapturedOutput output) {
        mvc.get().uri("/fail/disconnected").exchange();
        assertThat(output.getOut()).doesNotContain(" ERROR ", "\tat ");
    }

    @Test
    void anUnexpectedErrorIsLoggedInFull(CapturedOutput output) {
        mvc.get().uri("/fail/unexpected").exchange();
        assertThat(output.getOut()).contains(" ERROR ", "secret internal state", "\tat ");
    }

    @Test
    void aConstraintOtherThanTheIsbnIs409WithoutClaimingAnIsbnConflict() {
        var result = mvc.get().uri("/fail/constraint").exchange();
        assertThat(result).hasStatus(HttpStatus.CONFLICT).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.title").isEqualTo("Conflict");
        assertThat(result).bodyText().doesNotContain("TITLE", "NULL", "ISBN", "isbn", "existingBookId");
    }
}
