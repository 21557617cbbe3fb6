package dev.slimlab.bookshelf.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives an error status that was set without a body a problem body too. Actuator answers an
 * unknown health component with a bare 404, for one. Such a response is turned into a forward to
 * the error page ({@link ProblemErrorController}) before anything is sent: no content type means
 * nothing was written.
 */
@Component
public class EmptyErrorFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, response);
        if (response.getStatus() >= 400 && !response.isCommitted() && response.getContentType() == null) {
            response.sendError(response.getStatus());
        }
    }
}
