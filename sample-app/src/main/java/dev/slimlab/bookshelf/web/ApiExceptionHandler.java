package dev.slimlab.bookshelf.web;

import dev.slimlab.bookshelf.book.BookNotFoundException;
import dev.slimlab.bookshelf.book.ConcurrentBookChangeException;
import dev.slimlab.bookshelf.book.DuplicateIsbnException;
import dev.slimlab.bookshelf.book.InvalidQueryParameterException;
import dev.slimlab.bookshelf.book.InvalidSortException;
import dev.slimlab.bookshelf.book.StaleBookVersionException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.util.DisconnectedClientHelper;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Turns every failure into an RFC 9457 problem-details body. Spring's base class already covers
 * the framework's own errors (415, 405, unknown routes, bad path variables); this adds the
 * shelf's errors, per-field validation messages, and a last resort that never shows a stack trace.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /** One rejected field, as the {@code errors} member of a 400 problem lists it. */
    public record FieldProblem(String field, String message) {}

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> new FieldProblem(e.getField(), e.getDefaultMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        ProblemDetail problem = ex.getBody();
        problem.setTitle("Invalid book");
        problem.setDetail(errors.size() == 1
                ? "1 field is invalid; see 'errors'."
                : errors.size() + " fields are invalid; see 'errors'.");
        problem.setProperty("errors", errors);
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    /**
     * A body that is not JSON, or JSON whose values have the wrong type. When Jackson knows which
     * field it was filling, the problem names it in {@code errors}, as validation does; Jackson's
     * own message (with Java type names) is not shown.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyTooLargeException tooLarge) {
                // The cap struck while the JSON parser was reading, and the parser wrapped it.
                return handleExceptionInternal(ex, bodyTooLarge(tooLarge), headers, HttpStatus.CONTENT_TOO_LARGE, request);
            }
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                status, "The request body is missing or is not valid JSON for a book.");
        problem.setTitle("Malformed request body");
        if (ex.getCause() instanceof JacksonException json && !json.getPath().isEmpty()) {
            FieldProblem error = new FieldProblem(fieldOf(json), expectedType(json));
            problem.setDetail(error.field() + " " + error.message() + ".");
            problem.setProperty("errors", List.of(error));
        }
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    private static String fieldOf(JacksonException ex) {
        return ex.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String expectedType(JacksonException ex) {
        Class<?> target = switch (ex) {
            case MismatchedInputException mismatch -> mismatch.getTargetType();
            case InputCoercionException coercion -> coercion.getTargetType();
            default -> null;
        };
        if (target == null) {
            return "is not valid here";
        }
        if (CharSequence.class.isAssignableFrom(target)) {
            return "must be a JSON string";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "must be a whole number in range, written without a fraction or quotes";
        }
        return "has the wrong type";
    }

    @ExceptionHandler
    public ProblemDetail bodyTooLarge(RequestBodyTooLargeException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage());
        problem.setTitle("Request body too large");
        problem.setProperty("maxBytes", ex.getMaxBytes());
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail bookNotFound(BookNotFoundException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
        problem.setTitle("Book not found");
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail duplicateIsbn(DuplicateIsbnException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
        problem.setTitle("Duplicate ISBN");
        problem.setProperties(Map.of("isbn", ex.getIsbn(), "existingBookId", ex.getExistingBookId()));
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail invalidSort(InvalidSortException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid sort");
        problem.setProperty("sortable", ex.getSortable());
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail invalidQueryParameter(InvalidQueryParameterException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid query parameter");
        problem.setProperty("parameter", ex.getParameter());
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail staleVersion(StaleBookVersionException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PRECONDITION_FAILED, ex.getMessage());
        problem.setTitle("Book has changed");
        return problem;
    }

    @ExceptionHandler
    public ProblemDetail concurrentChange(ConcurrentBookChangeException ex) {
        log.warn("Gave up replacing book {}: {}", ex.getId(), ex.getMessage());
        return concurrencyConflict(ex.getMessage());
    }

    /**
     * A race the service does not translate itself, such as a lock the database could not get in
     * time: the request may well succeed if repeated.
     */
    @ExceptionHandler
    public ProblemDetail concurrencyFailure(ConcurrencyFailureException ex) {
        log.warn("A request lost a race with another: {}", ex.getMostSpecificCause().getMessage());
        return concurrencyConflict("Another request changed the same data at the same time; retry the request.");
    }

    private static ProblemDetail concurrencyConflict(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle("Concurrent change");
        return problem;
    }

    /**
     * A write the database refused that the service did not recognise as a duplicate ISBN (the
     * service answers those itself, naming the other book). Validation should make this
     * unreachable, so it says no more than that the change conflicts with the stored data.
     */
    @ExceptionHandler
    public ProblemDetail dataIntegrity(DataIntegrityViolationException ex) {
        log.warn("Rejected a write that breaks a database constraint: {}", ex.getMostSpecificCause().getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT, "The change conflicts with the data already on the shelf.");
        problem.setTitle("Conflict");
        return problem;
    }

    /**
     * Anything unforeseen: logged in full for the operator, a plain 500 for the client. A client
     * that hung up mid-request is no server error, and has nobody left to answer.
     */
    @ExceptionHandler
    public ProblemDetail unexpected(Exception ex) {
        if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
            log.debug("The client went away: {}", ex.toString());
            return null;
        }
        log.error("Unhandled error", ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "Something went wrong on the server; the log has the details.");
        problem.setTitle("Internal server error");
        return problem;
    }
}
