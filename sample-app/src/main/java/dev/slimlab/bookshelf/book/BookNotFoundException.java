package dev.slimlab.bookshelf.book;

/** No book has the id a client asked for; the API answers 404. */
public class BookNotFoundException extends RuntimeException {

    private final long id;

    public BookNotFoundException(long id) {
        super("No book has id " + id + ".");
        this.id = id;
    }

    public long getId() {
        return id;
    }
}
