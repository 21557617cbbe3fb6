package dev.slimlab.bookshelf.web;

/** A request body over {@link RequestBodyLimit#MAX_BYTES}; the API answers 413. */
public class RequestBodyTooLargeException extends RuntimeException {

    private final long maxBytes;

    public RequestBodyTooLargeException(long maxBytes) {
        super("The request body is larger than " + maxBytes + " bytes; a book needs far less.");
        this.maxBytes = maxBytes;
    }

    public long getMaxBytes() {
        return maxBytes;
    }
}
