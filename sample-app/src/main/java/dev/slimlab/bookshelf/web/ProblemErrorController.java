package dev.slimlab.bookshelf.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page Tomcat forwards to when an error happens outside Spring MVC: a request Tomcat
 * answers itself inside the app (TRACE, which it refuses), an exception in a servlet filter, or a
 * client asking for the error path directly. It replaces Spring Boot's JSON and HTML error page
 * with the problem details every other error has, whatever the client accepts.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${spring.web.error.path:${error.path:/error}}")
    public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code)) {
            // Not forwarded by Tomcat: a client asked for the error path, which is no resource.
            return problem(HttpStatus.NOT_FOUND, "No resource at this path.", request.getRequestURI());
        }
        HttpStatus status = HttpStatus.resolve(code);
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        if (status.is5xxServerError() && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable ex) {
            log.error("Unhandled error outside Spring MVC", ex);
        }
        return problem(status, detail(status), (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
    }

    /** Generic on purpose: the container's own messages are not written for clients. */
    static String detail(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "The request is malformed.";
            case NOT_FOUND -> "No resource at this path.";
            case METHOD_NOT_ALLOWED -> "The method is not allowed here; the Allow header lists those that are.";
            case INTERNAL_SERVER_ERROR -> "Something went wrong on the server; the log has the details.";
            default -> status.getReasonPhrase() + ".";
        };
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail, String path) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        if (path != null) {
            try {
                problem.setInstance(new URI(path));
            } catch (URISyntaxException ex) {
                // A path that is no URI has no place in the body.
            }
        }
        // A preset content type is sent as is: an error has no other representation to negotiate.
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
