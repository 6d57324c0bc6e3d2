package dev.synctalk.engine.graph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the text of a graph file before Typesafe Config parses it, with one pass and no recursion, so that a
 * hostile or mistaken file ends in one clear error: files larger than {@link #MAX_BYTES} or not regular files,
 * nesting deeper than {@link #MAX_DEPTH} (Typesafe Config's parser would overflow the stack), two blocks with
 * the same key in one object (HOCON merges them silently: a duplicated stage becomes one stage), and includes
 * of files that do not exist (HOCON ignores them silently). Included files are checked the same way. Also
 * collects the substitutions the text refers to ({@code ${video}}, {@code ${?lpips}}): the variables an
 * override may set.
 */
final class GraphText {
    /** Graph files are a few KiB; anything this large is not a graph file. */
    static final int MAX_BYTES = 1 << 20;
    /** The deepest shipped graph nests 6 levels (graph, stages, stage, params, a list, an object in it). */
    static final int MAX_DEPTH = 32;
    static final int MAX_INCLUDE_DEPTH = 8;

    /** What the scan found: problems, and the substitution paths the text (and its includes) refer to. */
    record Scan(List<ValidationError> errors, Set<String> substitutions) {
    }

    private GraphText() {
    }

    /** Reads at most {@link #MAX_BYTES} of a regular file as UTF-8. */
    static String read(Path file, String fileName) {
        Origin at = new Origin(fileName, 0);
        if (!Files.isRegularFile(file)) {
            throw new GraphValidationException(fileName, new ValidationError(at, Files.exists(file)
                    ? "not a regular file; a graph file is a HOCON text file" : "no such file: " + file.toAbsolutePath()));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new GraphValidationException(fileName, new ValidationError(at, "cannot read it: " + e.getMessage()));
        }
        if (bytes.length > MAX_BYTES) {
            throw new GraphValidationException(fileName, new ValidationError(at, "larger than " + (MAX_BYTES >> 10)
                    + " KiB; graph files are small HOCON text files (is this the right file?)"));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new GraphValidationException(fileName, new ValidationError(at, "not UTF-8 text; graph files are HOCON"
                    + " text files"));
        }
    }

    /** Checks {@code text} and, when {@code file} is known, the files it includes (relative to its folder). */
    static Scan check(String text, String fileName, Path file) {
        List<ValidationError> errors = new ArrayList<>();
        Set<String> substitutions = new LinkedHashSet<>();
        check(text, fileName, file, 0, new ArrayDeque<>(), errors, substitutions);
        return new Scan(errors, substitutions);
    }

    /** The deepest nesting of braces and brackets in {@code text} (strings and comments aside). */
    static int depth(String text) {
        Scanner scanner = new Scanner(text, "", null, 0, new ArrayDeque<>(), new ArrayList<>(), new LinkedHashSet<>());
        scanner.depthOnly = true;
        scanner.run();
        return scanner.deepest;
    }

    private static void check(String text, String fileName, Path file, int includeDepth, Deque<Path> including,
                              List<ValidationError> errors, Set<String> substitutions) {
        new Scanner(text, fileName, file, includeDepth, including, errors, substitutions).run();
    }

    /** One pass over HOCON tokens, tracking the object or list each token is in. */
    private static final class Scanner {
        private final String text;
        private final String fileName;
        private final Path file;
        private final int includeDepth;
        private final Deque<Path> including;
        private final List<ValidationError> errors;
        private final Set<String> substitutions;
        private final Deque<Scope> scopes = new ArrayDeque<>();
        private int pos;
        private int line = 1;
        int deepest;
        boolean depthOnly;

        /** An object (keys are tracked) or a list. */
        private static final class Scope {
            final boolean object;
            final Map<String, Integer> objectKeys = new HashMap<>();
            /** Key text of the field being read, or null while a value is read or between fields. */
            StringBuilder key = new StringBuilder();
            int keyLine;
            boolean afterSeparator;
            boolean valueStarted;

            Scope(boolean object) {
                this.object = object;
            }

            void nextField() {
                key = new StringBuilder();
                afterSeparator = false;
                valueStarted = false;
            }

            boolean readingKey() {
                return object && !afterSeparator && !valueStarted;
            }
        }

        Scanner(String text, String fileName, Path file, int includeDepth, Deque<Path> including,
                List<ValidationError> errors, Set<String> substitutions) {
            this.text = text;
            this.fileName = fileName;
            this.file = file;
            this.includeDepth = includeDepth;
            this.including = including;
            this.errors = errors;
            this.substitutions = substitutions;
        }

        void run() {
            // A file whose first token is not '{' is the body of an implicit root object.
            skipBlank();
            boolean braced = pos < text.length() && text.charAt(pos) == '{';
            if (!braced) {
                scopes.push(new Scope(true));
            }
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                    endOfField();
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\uFEFF') {
                    pos++;
                } else if (c == '#' || (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '/')) {
                    skipToLineEnd();
                } else if (c == '{' || c == '[') {
                    if (!open(c == '{')) {
                        return;
                    }
                } else if (c == '}' || c == ']') {
                    pos++;
                    if (!scopes.isEmpty()) {
                        scopes.pop();
                    }
                    Scope outer = scopes.peek();
                    if (outer != null && outer.object) {
                        outer.valueStarted = true; // the object or list was this field's value
                    }
                } else if (c == ',') {
                    pos++;
                    endOfField();
                } else if (c == '=' || c == ':') {
                    pos++;
                    separator();
                } else if (c == '+' && pos + 1 < text.length() && text.charAt(pos + 1) == '=') {
                    pos += 2;
                    separator();
                } else if (c == '$' && pos + 1 < text.length() && text.charAt(pos + 1) == '{') {
                    substitution();
                } else if (c == '"') {
                    String s = quoted();
                    token(s, true);
                } else {
                    token(unquoted(), false);
                }
            }
        }

        private boolean open(boolean object) {
            pos++;
            Scope outer = scopes.peek();
            if (outer != null && outer.object && !depthOnly) {
                String key = outer.key.toString().trim();
                boolean fieldValue = !outer.valueStarted && !key.isEmpty();
                if (fieldValue) {
                    if (object) {
                        Integer first = outer.objectKeys.putIfAbsent(key, outer.keyLine);
                        if (first != null) {
                            errors.add(new ValidationError(new Origin(fileName, outer.keyLine), "duplicate key '" + key
                                    + "' in one block (first at " + new Origin(fileName, first) + "); HOCON would merge"
                                    + " the two silently, so give each its own name or write them as one"));
                        }
                    }
                }
                outer.valueStarted = true;
            }
            scopes.push(new Scope(object));
            deepest = Math.max(deepest, scopes.size());
            if (scopes.size() > MAX_DEPTH) {
                errors.add(new ValidationError(new Origin(fileName, line), "nested more than " + MAX_DEPTH
                        + " levels deep; a graph needs a few (graph { stages { name { params { ... } } } })"));
                return false;
            }
            return true;
        }

        private void endOfField() {
            Scope scope = scopes.peek();
            if (scope != null && scope.object) {
                scope.nextField();
            }
        }

        private void separator() {
            Scope scope = scopes.peek();
            if (scope != null && scope.object && scope.readingKey()) {
                scope.afterSeparator = true;
            }
        }

        private void token(String token, boolean quoted) {
            Scope scope = scopes.peek();
            if (scope == null || !scope.object) {
                return;
            }
            if (scope.readingKey()) {
                if (scope.key.length() == 0) {
                    scope.keyLine = line;
                    if (!quoted && token.trim().equals("include")) {
                        include();
                        return;
                    }
                }
                scope.key.append(token);
            } else {
                scope.valueStarted = true;
            }
        }

        /** After the word include: {@code "x"}, {@code file("x")}, {@code required(...)}, {@code url(...)}. */
        private void include() {
            int includeLine = line;
            skipSpaces();
            boolean required = false;
            String kind = "file";
            String target = null;
            for (int wrappers = 0; wrappers < 3 && pos < text.length(); wrappers++) {
                if (text.charAt(pos) == '"') {
                    target = quoted();
                    break;
                }
                String word = unquotedWord();
                if (word.isEmpty() || pos >= text.length() || text.charAt(pos) != '(') {
                    break;
                }
                pos++;
                skipSpaces();
                if (word.equals("required")) {
                    required = true;
                } else {
                    kind = word;
                }
            }
            while (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != ',' && text.charAt(pos) != '}') {
                pos++; // closing parentheses
            }
            Origin at = new Origin(fileName, includeLine);
            if (depthOnly) {
                return;
            }
            if (target == null) {
                errors.add(new ValidationError(at, "include needs a quoted file name, e.g. include \"base.conf\""));
                return;
            }
            if (!kind.equals("file")) {
                errors.add(new ValidationError(at, "include " + kind + "(\"" + target + "\"): graph files include other"
                        + " files by path only"));
                return;
            }
            if (file == null) {
                return; // graph text without a file: nothing to resolve includes against
            }
            Path base = file.toAbsolutePath().getParent();
            Path found = resolveInclude(base, target);
            if (found == null) {
                errors.add(new ValidationError(at, "include \"" + target + "\": no such file " + base.resolve(target)
                        + (required ? "" : " (HOCON would skip it silently and run without it)")));
                return;
            }
            if (includeDepth + 1 > MAX_INCLUDE_DEPTH || including.contains(found.normalize())) {
                errors.add(new ValidationError(at, "include \"" + target + "\": includes nest more than "
                        + MAX_INCLUDE_DEPTH + " deep or include themselves (" + including + ")"));
                return;
            }
            String includedName = found.toString();
            String includedText;
            try {
                includedText = read(found, includedName);
            } catch (GraphValidationException e) {
                errors.addAll(e.errors());
                return;
            }
            including.push(found.normalize());
            check(includedText, includedName, found, includeDepth + 1, including, errors, substitutions);
            including.pop();
        }

        /** HOCON tries the name as given, then with .conf, .json and .properties when it has no extension. */
        private static Path resolveInclude(Path base, String target) {
            Path direct = base.resolve(target);
            if (Files.isRegularFile(direct)) {
                return direct;
            }
            if (!direct.getFileName().toString().contains(".")) {
                for (String ext : new String[] {".conf", ".json", ".properties"}) {
                    Path withExt = base.resolve(target + ext);
                    if (Files.isRegularFile(withExt)) {
                        return withExt;
                    }
                }
            }
            return null;
        }

        private void substitution() {
            int start = pos + 2;
            int end = text.indexOf('}', start);
            if (end < 0) {
                pos = text.length();
                return;
            }
            String path = text.substring(start, end).trim();
            if (path.startsWith("?")) {
                path = path.substring(1).trim();
            }
            substitutions.add(path.replace("\"", ""));
            pos = end + 1;
            Scope scope = scopes.peek();
            if (scope != null && scope.object) {
                scope.valueStarted = true;
            }
        }

        private String quoted() {
            if (text.startsWith("\"\"\"", pos)) {
                int end = text.indexOf("\"\"\"", pos + 3);
                end = end < 0 ? text.length() : end + 3;
                while (end < text.length() && text.charAt(end) == '"') {
                    end++; // """ may end with extra quotes that belong to the string
                }
                String body = text.substring(pos, end);
                line += (int) body.chars().filter(ch -> ch == '\n').count();
                pos = end;
                return body;
            }
            StringBuilder out = new StringBuilder();
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\\' && pos + 1 < text.length()) {
                    out.append(text.charAt(pos + 1));
                    pos += 2;
                } else if (c == '"' || c == '\n') {
                    pos += c == '"' ? 1 : 0; // an unterminated string is the parser's to report
                    break;
                } else {
                    out.append(c);
                    pos++;
                }
            }
            return out.toString();
        }

        private String unquoted() {
            int start = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if ("{}[],=:\"#\n\t\r $".indexOf(c) >= 0 || (c == '+' && pos + 1 < text.length()
                        && text.charAt(pos + 1) == '=') || (c == '/' && pos + 1 < text.length()
                        && text.charAt(pos + 1) == '/')) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                pos++; // a character HOCON forbids unquoted: the parser reports it
                return text.substring(start, pos);
            }
            // whitespace inside a key is part of it; one space stands for any run
            int after = pos;
            while (after < text.length() && (text.charAt(after) == ' ' || text.charAt(after) == '\t')) {
                after++;
            }
            String token = text.substring(start, pos);
            Scope scope = scopes.peek();
            if (after > pos && after < text.length() && scope != null && scope.readingKey()
                    && "{=:+\n#,".indexOf(text.charAt(after)) < 0) {
                token += " ";
            }
            pos = after;
            return token;
        }

        private String unquotedWord() {
            int start = pos;
            while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
                pos++;
            }
            String word = text.substring(start, pos);
            skipSpaces();
            return word;
        }

        private void skipSpaces() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private void skipBlank() {
            int p = pos;
            while (p < text.length()) {
                char c = text.charAt(p);
                if (c == '#' || (c == '/' && p + 1 < text.length() && text.charAt(p + 1) == '/')) {
                    while (p < text.length() && text.charAt(p) != '\n') {
                        p++;
                    }
                } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                    p++;
                } else {
                    break;
                }
            }
            // only peek: line counting happens in the main loop
            if (p < text.length() && text.charAt(p) == '{') {
                while (pos < p) {
                    if (text.charAt(pos) == '\n') {
                        line++;
                    }
                    pos++;
                }
            }
        }

        private void skipToLineEnd() {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        }
    }
}
