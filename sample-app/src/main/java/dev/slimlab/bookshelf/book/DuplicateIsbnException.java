package dev.slimlab.bookshelf.book;

/** Another book already has this ISBN; the API answers 409 and names that book. */
public class DuplicateIsbnException extends RuntimeException {

    private final String isbn;
    private final long existingBookId;

    public DuplicateIsbnException(String isbn, long existingBookId) {
        super("Book " + existingBookId + " already has ISBN " + isbn + ".");
        this.isbn = isbn;
        this.existingBookId = existingBookId;
    }

    public String getIsbn() {
        return isbn;
    }

    public long getExistingBookId() {
        return existingBookId;
    }
}
