package dev.slimlab.bookshelf.book;

/** A query parameter the list cannot serve (a page, a size, an overlong filter); the API answers 400 and names it. */
public class InvalidQueryParameterException extends RuntimeException {

    private final String parameter;

    public InvalidQueryParameterException(String parameter, String problem) {
        super("Query parameter '" + parameter + "' " + problem + ".");
        this.parameter = parameter;
    }

    public String getParameter() {
        return parameter;
    }
}
