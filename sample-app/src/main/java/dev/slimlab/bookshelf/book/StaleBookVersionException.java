package dev.slimlab.bookshelf.book;

/** The book is no longer at a version the client's If-Match names; the API answers 412. */
public class StaleBookVersionException extends RuntimeException {

    private final long id;

    public StaleBookVersionException(long id) {
        super("Book " + id + " has changed since the version named in If-Match; read it again (GET) and retry with its new ETag.");
        this.id = id;
    }

    public long getId() {
        return id;
    }
}
