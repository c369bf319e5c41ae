package io.chronik.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chronik.cli.CliSession;
import io.chronik.cli.OutputFormat;
import java.io.UncheckedIOException;
import java.util.Map;

/** Prints one result to the session's output, as JSON or as text depending on the session's format. */
public final class Printer {

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final CliSession session;

    public Printer(CliSession session) {
        this.session = session;
    }

    public void print(Map<String, Object> asJson, String asText) {
        if (session.output() == OutputFormat.json) {
            try {
                session.out().println(json.writeValueAsString(asJson));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            session.out().print(asText);
        }
        session.out().flush();
    }
}
