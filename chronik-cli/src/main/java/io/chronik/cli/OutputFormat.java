package io.chronik.cli;

/** How results are printed: aligned tables for people, or JSON of a stable shape for scripts. */
public enum OutputFormat {
    text, json
}
