package io.chronik.cli.shell;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Tab completion for the shell, read off the picocli command tree (so a new command or flag completes without
 * touching this class): subcommand names, the flags of the command typed so far, and — fetched from the server at
 * the moment Tab is pressed — topic names where a topic is expected and node ids where a node is. A server that
 * does not answer simply yields no dynamic candidates. Used on the shell's reader thread.
 */
public final class ShellCompleter implements Completer {

    /** Where dynamic candidates come from; each call may ask the server. */
    public interface Source {
        List<String> topics();

        List<String> nodeIds();
    }

    private static final List<String> SHELL_WORDS = List.of("help", "exit");

    private final CommandSpec root;
    private final Source source;

    public ShellCompleter(CommandLine root, Source source) {
        this.root = root.getCommandSpec();
        this.source = source;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        candidates(line.words().subList(0, line.wordIndex()))
                .forEach(c -> candidates.add(new Candidate(c, c, null, null, null, null, true)));
    }

    /** The completions of the word that follows {@code before} (filtering by its prefix is JLine's job). */
    public List<String> candidates(List<String> before) {
        CommandSpec spec = root;
        int positional = 0;
        Set<String> used = new HashSet<>();
        String pendingOption = null;
        for (String word : before) {
            if (pendingOption != null) {
                pendingOption = null;
                continue;
            }
            if (word.startsWith("-")) {
                String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                OptionSpec option = spec.findOption(name);
                if (option != null) {
                    used.add(name);
                    if (!word.contains("=") && option.arity().max() > 0) {
                        pendingOption = name;
                    }
                }
                continue;
            }
            CommandLine sub = spec.subcommands().get(word);
            if (sub != null && positional == 0) {
                spec = sub.getCommandSpec();
                continue;
            }
            positional++;
        }
        if (pendingOption != null) {
            return optionValues(pendingOption);
        }
        List<String> out = new ArrayList<>();
        if (!spec.subcommands().isEmpty() && positional == 0) {
            out.addAll(spec.subcommands().keySet());
            if (spec == root && before.isEmpty()) {
                out.addAll(SHELL_WORDS);
            }
            return out;
        }
        out.addAll(positionalValues(spec.qualifiedName(" "), positional));
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (name.equals("--help") || name.equals("--version")) {
                continue;
            }
            if (!used.contains(name) || option.isMultiValue()) {
                out.add(name);
            }
        }
        return out;
    }

    private List<String> optionValues(String option) {
        return switch (option) {
            case "--to" -> safe(source::nodeIds);
            case "--output" -> List.of("text", "json");
            default -> List.of();
        };
    }

    private List<String> positionalValues(String command, int index) {
        return switch (command) {
            case "chronik-cli topic describe", "chronik-cli topic delete" -> index == 0 ? safe(source::topics)
                    : List.of();
            case "chronik-cli leader transfer" -> index == 0 ? safe(source::topics) : List.of();
            case "chronik-cli node remove", "chronik-cli node add" -> index == 0 ? safe(source::nodeIds) : List.of();
            default -> List.of();
        };
    }

    private static List<String> safe(Supplier<List<String>> fetch) {
        try {
            return fetch.get();
        } catch (RuntimeException unreachable) {
            return List.of();
        }
    }
}
