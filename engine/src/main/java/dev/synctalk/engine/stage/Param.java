package dev.synctalk.engine.stage;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one parameter of a stage's config record. The graph-file key is the component name in
 * kebab-case ({@code sampleRate} -> {@code sample-rate}). A component without a default is required.
 * Supported component types: int, long, double, float, boolean, String, java.nio.file.Path,
 * java.util.List of String, enums (written in kebab-case or as the constant name).
 * {@code graphs validate} checks numbers against {@link #min()} and {@link #max()}, and output paths
 * ({@link #output()}) against the run's outputs folder, before anything runs.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Param {
    /** Marker meaning "no default: the parameter is required". */
    String REQUIRED = "\u0000required";
    /** Marker meaning "optional, null when absent" (only for reference types). */
    String NONE = "\u0000none";

    /** Default value as HOCON text, or {@link #REQUIRED}, or {@link #NONE}. */
    String defaultValue() default REQUIRED;

    /** One line shown by {@code graphs describe} and in validation messages. */
    String doc() default "";

    /** Smallest allowed value of a numeric param (each element of a list of numbers), inclusive. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value of a numeric param (each element of a list of numbers), inclusive. */
    double max() default Double.POSITIVE_INFINITY;

    /**
     * A path the stage writes, relative to the run's outputs folder: absolute paths and paths that leave the
     * folder ({@code ../x}) are refused, so that a run never writes into another run or anywhere else.
     */
    boolean output() default false;
}
