package dev.slimlab.bookshelf.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Caps every request body the API reads. A body that declares a larger Content-Length is refused
 * as soon as its first bytes arrive (Spring reads one to see whether there is a body at all); one
 * without a length (chunked) is read only up to the cap. Either way the answer is a 413 problem,
 * and Tomcat closes the connection rather than read the rest, so a client cannot make the app read
 * megabytes to parse a book.
 */
@ControllerAdvice
public class RequestBodyLimit extends RequestBodyAdviceAdapter {

    /** A book's JSON is well under 3 KiB even with every character escaped. */
    public static final int MAX_BYTES = 8 * 1024;

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        if (input.getHeaders().getContentLength() > MAX_BYTES) {
            throw new RequestBodyTooLargeException(MAX_BYTES);
        }
        InputStream limited = new LimitedInputStream(input.getBody());
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return limited;
            }

            @Override
            public HttpHeaders getHeaders() {
                return input.getHeaders();
            }
        };
    }

    /** Fails the read that would take the body past the cap. */
    private static final class LimitedInputStream extends FilterInputStream {

        private long count;

        LimitedInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) {
            count += n;
            if (count > MAX_BYTES) {
                throw new RequestBodyTooLargeException(MAX_BYTES);
            }
        }
    }
}
