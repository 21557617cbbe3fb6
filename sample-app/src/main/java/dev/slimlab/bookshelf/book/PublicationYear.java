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
import java.time.Year;

/**
 * A year a printed book can have: from Gutenberg's press (1450) to next year, since publishers
 * announce books before they ship. The upper bound moves with the clock, so {@code @Max} can't
 * express it.
 */
@Documented
@Constraint(validatedBy = PublicationYear.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface PublicationYear {

    int EARLIEST = 1450;

    String message() default "must be between 1450 and next year";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<PublicationYear, Integer> {

        @Override
        public boolean isValid(Integer year, ConstraintValidatorContext context) {
            return year == null || (year >= EARLIEST && year <= Year.now().getValue() + 1);
        }
    }
}
