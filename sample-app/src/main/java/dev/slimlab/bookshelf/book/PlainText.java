package dev.slimlab.bookshelf.book;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One line of text a person can read, such as a title or an author.
 *
 * <ul>
 *   <li>It must show something: text made only of spaces, in any script (the no-break space, the
 *       em space, the ideographic space), or of invisible format characters (the zero-width space)
 *       is blank, where {@code @NotBlank} knows only the spaces Java calls whitespace.
 *   <li>It must hold no control characters: no C0 or C1 controls (NUL, tab, line feed, escape,
 *       DEL), no line or paragraph separators, no bidirectional embeddings, overrides or isolates
 *       (which make text display other than it reads), no unpaired surrogates and no
 *       noncharacters. Format characters that scripts need inside words, such as the zero-width
 *       joiners and the left-to-right mark, stay allowed.
 * </ul>
 *
 * Null is left to {@code @NotNull}, the length to {@code @Size}.
 */
@Documented
@Constraint(validatedBy = PlainText.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface PlainText {

    String message() default "must be plain text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<PlainText, String> {

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            if (text == null) {
                return true;
            }
            if (text.codePoints().allMatch(Validator::isInvisible)) {
                return reject(context, "must not be blank");
            }
            if (text.codePoints().anyMatch(Validator::isControl)) {
                return reject(context, "must not contain control characters (such as line breaks, tabs or direction overrides)");
            }
            return true;
        }

        static boolean isControl(int c) {
            int type = Character.getType(c);
            return type == Character.CONTROL
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.SURROGATE // only an unpaired one reaches here as a code point
                    || (c >= 0x202A && c <= 0x202E) // bidirectional embeddings and overrides
                    || (c >= 0x2066 && c <= 0x2069) // bidirectional isolates
                    || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; // noncharacters
        }

        static boolean isInvisible(int c) {
            return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.CONTROL;
        }

        private static boolean reject(ConstraintValidatorContext context, String message) {
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(message).addConstraintViolation();
            return false;
        }
    }
}
