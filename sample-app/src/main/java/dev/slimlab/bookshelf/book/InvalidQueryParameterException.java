package dev.slimlab.bookshelf.book;

/** A page or page size that cannot be served; the API answers 400 and names the parameter. */
public class InvalidPageException extends RuntimeException {

    private final String parameter;

    public InvalidPageException(String parameter, String problem) {
        super("Query parameter '" + parameter + "' " + problem + ".");
        this.parameter = parameter;
    }

    public String getParameter() {
        return parameter;
    }
}
