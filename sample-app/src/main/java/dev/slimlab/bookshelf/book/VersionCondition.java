package dev.slimlab.bookshelf.book;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.ETag;

/**
 * The versions of a book that a client's If-Match header accepts. A book's ETag is its version in
 * quotes ({@code "3"}), compared strongly: a weak tag ({@code W/"3"}) or one that is not a version
 * never matches, and {@code *} matches any version.
 *
 * @param present whether the client sent If-Match at all
 * @param versions the versions it accepts; empty when any version will do (no header, or {@code *})
 */
public record VersionCondition(boolean present, Optional<Set<Long>> versions) {

    /** No If-Match header: the change applies whatever the book's version. */
    public static final VersionCondition NONE = new VersionCondition(false, Optional.empty());

    public static VersionCondition ifMatch(String header) {
        if (header == null) {
            return NONE;
        }
        List<ETag> tags = ETag.parse(header);
        if (tags.stream().anyMatch(ETag::isWildcard)) {
            return new VersionCondition(true, Optional.empty());
        }
        Set<Long> versions = tags.stream()
                .filter(tag -> !tag.weak() && tag.tag().matches("[0-9]{1,18}"))
                .map(tag -> Long.valueOf(tag.tag()))
                .collect(Collectors.toUnmodifiableSet());
        return new VersionCondition(true, Optional.of(versions));
    }

    public boolean matches(long version) {
        return versions.map(accepted -> accepted.contains(version)).orElse(true);
    }
}
