package dev.slimlab.bookshelf.book;

import jakarta.validation.Valid;
import java.net.URI;
import java.util.Set;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.web.PagedModel;
import org.springframework.data.web.SortDefault;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The JSON API under /api/books. Errors become problem details in {@code ApiExceptionHandler}.
 *
 * <p>It declares problem details among what it produces so that a client accepting only those still
 * gets its errors; {@code ProblemMediaTypeGuard} keeps books themselves JSON.
 *
 * <p>Every response that carries a book carries its version as the ETag; PUT and DELETE honour
 * If-Match with it, so a client can read, modify and write back without losing another's change.
 * A GET with a matching If-None-Match gets a 304 (Spring checks it for ResponseEntity bodies).
 */
@RestController
@RequestMapping(path = "/api/books", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE})
public class BookController {

    /** Properties a client may sort by; anything else is a 400, not a database error. */
    public static final Set<String> SORTABLE = Set.of("id", "title", "author", "isbn", "publicationYear", "createdAt");

    /** A larger size is served as this many books a page. */
    public static final int MAX_PAGE_SIZE = 100;

    private final BookService service;

    public BookController(BookService service) {
        this.service = service;
    }

    /**
     * Page and size are read strictly rather than through Spring Data's {@code Pageable}, which
     * quietly serves page 0 for a page it cannot parse and fails on one whose offset overflows.
     */
    @GetMapping
    public PagedModel<BookResponse> list(
            @RequestParam(defaultValue = "") String author,
            @RequestParam(defaultValue = "") String title,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "20") int size,
            @SortDefault("title") Sort sort) {
        for (Sort.Order order : sort) {
            if (!SORTABLE.contains(order.getProperty())) {
                throw new InvalidSortException(order.getProperty(), SORTABLE);
            }
        }
        // A filter longer than any stored value could match nothing; refusing it keeps it out of the query.
        if (author.length() > BookRequest.MAX_AUTHOR_LENGTH) {
            throw new InvalidQueryParameterException("author", "must be at most " + BookRequest.MAX_AUTHOR_LENGTH + " characters");
        }
        if (title.length() > BookRequest.MAX_TITLE_LENGTH) {
            throw new InvalidQueryParameterException("title", "must be at most " + BookRequest.MAX_TITLE_LENGTH + " characters");
        }
        if (page < 0) {
            throw new InvalidQueryParameterException("page", "must be 0 or more");
        }
        if (size < 1) {
            throw new InvalidQueryParameterException("size", "must be 1 or more");
        }
        int served = Math.min(size, MAX_PAGE_SIZE);
        if ((long) page * served > Integer.MAX_VALUE) {
            throw new InvalidQueryParameterException("page", "is too large: page × size must not exceed " + Integer.MAX_VALUE);
        }
        return new PagedModel<>(service.search(author, title, PageRequest.of(page, served, sort)));
    }

    @GetMapping("/{id}")
    public ResponseEntity<BookResponse> get(@PathVariable long id) {
        BookResponse book = service.get(id);
        return ResponseEntity.ok().eTag(book.etag()).body(book);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<BookResponse> create(@Valid @RequestBody BookRequest request) {
        BookResponse created = service.create(request);
        // From the context path, not the request URL: its query string and any encoding in its
        // path have no place in the new book's address.
        URI location = ServletUriComponentsBuilder.fromCurrentContextPath()
                .path("/api/books/{id}")
                .buildAndExpand(created.id())
                .toUri();
        return ResponseEntity.created(location).eTag(created.etag()).body(created);
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<BookResponse> replace(
            @PathVariable long id,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @Valid @RequestBody BookRequest request) {
        BookResponse replaced = service.replace(id, request, VersionCondition.ifMatch(ifMatch));
        return ResponseEntity.ok().eTag(replaced.etag()).body(replaced);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(
            @PathVariable long id, @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        service.delete(id, VersionCondition.ifMatch(ifMatch));
    }
}
