package dev.slimlab.bookshelf.book;

import java.util.Set;
import java.util.TreeSet;

/** A client asked to sort by a property books don't have; the API answers 400 and lists the valid ones. */
public class InvalidSortException extends RuntimeException {

    private final String property;
    private final Set<String> sortable;

    public InvalidSortException(String property, Set<String> sortable) {
        super("Cannot sort by '" + property + "'. Sort by one of: " + String.join(", ", new TreeSet<>(sortable)) + ".");
        this.property = property;
        this.sortable = new TreeSet<>(sortable);
    }

    public String getProperty() {
        return property;
    }

    public Set<String> getSortable() {
        return sortable;
    }
}
