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
import java.util.regex.Pattern;

/**
 * An ISBN-13 as a person types it: digits with single hyphens or spaces between them
 * ("978-0-13-468599-1"), 13 digits in all, a correct check digit, and a prefix that books can
 * have. A check digit alone lets through numbers no book can carry ("0000000000000"): ISBNs are
 * EAN-13 codes in the "Bookland" prefixes 978 and 979, and 979-0 is the ISMN range for printed
 * music. Each failure has its own message. Null is left to {@code @NotNull}, an overlong value to
 * {@code @Size}.
 */
@Documented
@Constraint(validatedBy = Isbn13.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface Isbn13 {

    /** 13 digits and at most four separators, as in 978-0-13-468599-1. */
    int MAX_LENGTH = 17;

    String message() default "must be a valid ISBN-13";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<Isbn13, String> {

        private static final Pattern TYPED = Pattern.compile("[0-9]+([ -][0-9]+)*");

        @Override
        public boolean isValid(String isbn, ConstraintValidatorContext context) {
            if (isbn == null || isbn.length() > MAX_LENGTH) {
                return true;
            }
            if (!TYPED.matcher(isbn).matches()) {
                return reject(context, "must be an ISBN-13 of digits, with single hyphens or spaces between them");
            }
            String digits = isbn.replaceAll("[ -]", "");
            if (digits.length() != 13) {
                return reject(context, "must be an ISBN-13: 13 digits");
            }
            if (!(digits.startsWith("978") || digits.startsWith("979")) || digits.startsWith("9790")) {
                return reject(context, "must be an ISBN-13 starting with 978 or 979 (979-0 is for printed music)");
            }
            int sum = 0;
            for (int i = 0; i < 13; i++) {
                sum += (digits.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
            }
            return sum % 10 == 0 || reject(context, "must be an ISBN-13 with a correct check digit");
        }

        private static boolean reject(ConstraintValidatorContext context, String message) {
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(message).addConstraintViolation();
            return false;
        }
    }
}
