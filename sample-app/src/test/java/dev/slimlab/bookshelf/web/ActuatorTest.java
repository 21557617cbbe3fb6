package dev.slimlab.bookshelf.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/** The probes and build information the labs rely on, and nothing else exposed. */
@SpringBootTest
@AutoConfigureMockMvc
class ActuatorTest {

    @Autowired
    private MockMvcTester mvc;

    @Test
    void healthListsTheLivenessAndReadinessGroups() {
        assertThat(mvc.get().uri("/actuator/health")).hasStatusOk()
                .bodyJson().extractingPath("$.groups").asArray().containsExactly("liveness", "readiness");
    }

    @Test
    void livenessIsUp() {
        assertThat(mvc.get().uri("/actuator/health/liveness")).hasStatusOk()
                .bodyJson().extractingPath("$.status").isEqualTo("UP");
    }

    @Test
    void readinessIsUpAndChecksTheDatabase() {
        var readiness = assertThat(mvc.get().uri("/actuator/health/readiness")).hasStatusOk().bodyJson();
        readiness.extractingPath("$.status").isEqualTo("UP");
        readiness.extractingPath("$.components").asMap().containsOnlyKeys("readinessState", "db");
        readiness.extractingPath("$.components.db.status").isEqualTo("UP");
    }

    @Test
    void infoShowsTheBuild() {
        var info = assertThat(mvc.get().uri("/actuator/info")).hasStatusOk().bodyJson();
        info.extractingPath("$.build.artifact").isEqualTo("bookshelf");
        info.extractingPath("$.build.version").isEqualTo("1.0.0");
        info.extractingPath("$.build.time").asString().matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        info.extractingPath("$.java.version").asString().startsWith("25");
    }

    @Test
    void exposesNoOtherEndpoint() {
        assertThat(mvc.get().uri("/actuator")).hasStatusOk()
                .bodyJson().extractingPath("$._links").asMap()
                .containsOnlyKeys("self", "health", "health-path", "info");
        for (String endpoint : new String[] {"env", "beans", "configprops", "heapdump", "threaddump", "metrics", "shutdown"}) {
            assertThat(mvc.get().uri("/actuator/" + endpoint)).as(endpoint).hasStatus(HttpStatus.NOT_FOUND);
        }
    }
}
