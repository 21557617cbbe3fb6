package dev.slimlab.bookshelf.web;

import dev.slimlab.bookshelf.book.BookController;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * The book API says it produces {@code application/problem+json} as well as JSON, so that a client
 * that accepts only problem details still gets its 404 or 400 instead of a 406. That must not turn
 * a book into a "problem": a success negotiated to the problem type is sent as JSON if the client
 * accepts JSON too, and is a 406, as before, if it does not.
 */
@RestControllerAdvice(assignableTypes = BookController.class)
public class ProblemMediaTypeGuard implements ResponseBodyAdvice<Object> {

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
            Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        if (body instanceof ProblemDetail || !MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(selectedContentType)) {
            return body;
        }
        boolean acceptsJson = request.getHeaders().getAccept().stream()
                .anyMatch(accepted -> accepted.getQualityValue() > 0 && accepted.includes(MediaType.APPLICATION_JSON));
        if (!acceptsJson) {
            throw new ResponseStatusException(HttpStatus.NOT_ACCEPTABLE,
                    "Books are available as application/json only; accept it to read them.");
        }
        // The converter keeps a content type that is already set.
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return body;
    }
}
