package dev.slimlab.bookshelf.book;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts real books on an empty shelf at start, so the API and the page show data at once.
 *
 * <p>It runs before the app reports ready, so readiness means the data is there. It leaves a
 * shelf that already has books alone, which matters on PostgreSQL, where data outlives the app.
 * The list is Java rather than a data file so that it needs no resource hints in a native image.
 */
@Component
public class SeedBooks implements ApplicationRunner {

    /** Seed books as API requests, so they pass exactly the checks a client's book must pass. */
    public static final List<BookRequest> BOOKS = List.of(
            new BookRequest("Effective Java", "Joshua Bloch", "9780134685991", 2018),
            new BookRequest("Java Concurrency in Practice", "Brian Goetz", "9780321349606", 2006),
            new BookRequest("Java Performance", "Scott Oaks", "9781492056119", 2020),
            new BookRequest("Clean Code", "Robert C. Martin", "9780132350884", 2008),
            new BookRequest("Design Patterns", "Erich Gamma, Richard Helm, Ralph Johnson, John Vlissides", "9780201633610", 1994),
            new BookRequest("Refactoring", "Martin Fowler", "9780134757599", 2018),
            new BookRequest("Patterns of Enterprise Application Architecture", "Martin Fowler", "9780321127426", 2002),
            new BookRequest("The Pragmatic Programmer", "David Thomas, Andrew Hunt", "9780135957059", 2019),
            new BookRequest("Domain-Driven Design", "Eric Evans", "9780321125217", 2003),
            new BookRequest("Designing Data-Intensive Applications", "Martin Kleppmann", "9781449373320", 2017),
            new BookRequest("Site Reliability Engineering", "Betsy Beyer, Chris Jones, Jennifer Petoff, Niall Richard Murphy", "9781491929124", 2016),
            new BookRequest("The Mythical Man-Month", "Frederick P. Brooks Jr.", "9780201835953", 1995),
            new BookRequest("Structure and Interpretation of Computer Programs", "Harold Abelson, Gerald Jay Sussman", "9780262510875", 1996),
            new BookRequest("The C Programming Language", "Brian W. Kernighan, Dennis M. Ritchie", "9780131103627", 1988),
            new BookRequest("Continuous Delivery", "Jez Humble, David Farley", "9780321601919", 2010),
            new BookRequest("Release It!", "Michael T. Nygard", "9781680502398", 2018),
            new BookRequest("Building Microservices", "Sam Newman", "9781492034025", 2021),
            new BookRequest("Accelerate", "Nicole Forsgren, Jez Humble, Gene Kim", "9781942788331", 2018),
            new BookRequest("Working Effectively with Legacy Code", "Michael Feathers", "9780131177055", 2004),
            new BookRequest("Test-Driven Development: By Example", "Kent Beck", "9780321146533", 2002));

    private static final Logger log = LoggerFactory.getLogger(SeedBooks.class);

    private final BookRepository books;

    public SeedBooks(BookRepository books) {
        this.books = books;
    }

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        long existing = books.count();
        if (existing > 0) {
            log.info("The shelf already holds {} books; seeding skipped", existing);
            return;
        }
        List<Book> fresh = BOOKS.stream()
                .map(b -> new Book(b.title(), b.author(), b.normalizedIsbn(), b.publicationYear()))
                .toList();
        books.saveAll(fresh);
        log.info("Seeded the shelf with {} books", fresh.size());
    }
}
