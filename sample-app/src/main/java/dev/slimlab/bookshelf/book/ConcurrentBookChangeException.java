package dev.slimlab.bookshelf.book;

/** Other requests kept changing the book while this one tried to replace it; the API answers 409. */
public class ConcurrentBookChangeException extends RuntimeException {

    private final long id;

    public ConcurrentBookChangeException(long id) {
        super("Book " + id + " was changed by other requests at the same time; read it again and retry.");
        this.id = id;
    }

    public long getId() {
        return id;
    }
}
