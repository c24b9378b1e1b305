package dev.tamp.ide.lsp;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.ast.Declaration;
import dev.tamp.compiler.ast.SelectorTerm;
import dev.tamp.compiler.ast.Statement;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.diag.Severity;
import dev.tamp.compiler.format.Formatter;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DiagnosticRelatedInformation;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The tamp language server: the front end's diagnostics for each open document as it changes, completion from the
 * statement schemas and the model's layers, formatting through {@link Formatter}, go to the model and target files,
 * and hover on layer names, options, pass families and budget metrics. Documents are synchronized whole; a recipe
 * is a few KB and checks in milliseconds.
 */
public final class TampLanguageServer implements LanguageServer, LanguageClientAware {
    private final LayerCatalog layers;
    private final Map<String, Document> documents = new ConcurrentHashMap<>();
    /** For each open document, the other files it last published diagnostics for. */
    private final Map<String, java.util.Set<String>> elsewhere = new ConcurrentHashMap<>();
    private final TextDocumentService textDocuments = new TextDocuments();
    private final WorkspaceService workspace = new Workspace();
    private volatile LanguageClient client;
    private volatile boolean shutdown;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();

    public TampLanguageServer(LayerCatalog layers) {
        this.layers = layers;
    }

    /** An open document after checking: its text, where it stands on disk, and the front end's view of it. */
    private record Document(String uri, Path path, String text, TextPositions positions, SourceFile source,
                            Frontend.CheckedFile checked, List<Diagnostic> diagnostics, List<Diagnostic> elsewhere) {}

    @Override
    public void connect(LanguageClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        ServerCapabilities capabilities = new ServerCapabilities();
        capabilities.setTextDocumentSync(TextDocumentSyncKind.Full);
        capabilities.setCompletionProvider(new CompletionOptions(false, List.of(" ", ",")));
        capabilities.setDocumentFormattingProvider(true);
        capabilities.setDefinitionProvider(true);
        capabilities.setHoverProvider(true);
        return CompletableFuture.completedFuture(new InitializeResult(capabilities, new ServerInfo("tamp")));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdown = true;
        documents.clear();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        exited.complete(null);
    }

    /** Completes when the client sends {@code exit}. */
    CompletableFuture<Void> exited() {
        return exited;
    }

    /** Whether the client asked for a shutdown before exiting (the exit code says so, per the protocol). */
    public boolean wasShutDown() {
        return shutdown;
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return textDocuments;
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return workspace;
    }

    // ---- Checking -----------------------------------------------------------------------------------------------

    /** Where a document lives: its file for {@code file:} URIs, otherwise a name in the working directory. */
    static Path pathOf(String uri) {
        try {
            URI parsed = URI.create(uri);
            if ("file".equals(parsed.getScheme())) {
                return Path.of(parsed);
            }
            String name = parsed.getPath() != null ? Path.of(parsed.getPath()).getFileName().toString() : "untitled";
            return Path.of("").toAbsolutePath().resolve(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Path.of("").toAbsolutePath().resolve("untitled");
        }
    }

    private Document check(String uri, String text) {
        Path path = pathOf(uri);
        SourceFile source = SourceFile.at(path, Frontend.displayName(path), text);
        Diagnostics diagnostics = new Diagnostics();
        Frontend.CheckedFile checked = new Frontend(diagnostics).check(source, FileKind.of(path));
        List<Diagnostic> own = diagnostics.sorted().stream().filter(d -> d.file() == source).toList();
        List<Diagnostic> other = diagnostics.sorted().stream()
                .filter(d -> d.file() != source && d.file().path() != null).toList();
        return new Document(uri, path, text, new TextPositions(text), source, checked, own, other);
    }

    private synchronized void update(String uri, String text) {
        Document document = check(uri, text);
        documents.put(uri, document);
        LanguageClient c = client;
        if (c == null) {
            return;
        }
        List<org.eclipse.lsp4j.Diagnostic> converted = new ArrayList<>();
        for (Diagnostic d : document.diagnostics()) {
            converted.add(convert(d, document.uri(), document.positions(), document.source()));
        }
        c.publishDiagnostics(new PublishDiagnosticsParams(uri, converted));
        publishElsewhere(uri, document.elsewhere(), c);
    }

    /**
     * Publishes what checking a document found in other files it refers to (a target spec with errors), as
     * {@code tamp check} prints them, and clears what an earlier version of the document reported there. Files open
     * in the editor report for themselves.
     */
    private void publishElsewhere(String uri, List<Diagnostic> found, LanguageClient c) {
        Map<String, List<org.eclipse.lsp4j.Diagnostic>> byFile = new java.util.LinkedHashMap<>();
        for (Diagnostic d : found) {
            String fileUri = d.file().path().toAbsolutePath().toUri().toString();
            if (!documents.containsKey(fileUri)) {
                byFile.computeIfAbsent(fileUri, k -> new ArrayList<>())
                        .add(convert(d, fileUri, new TextPositions(d.file().text()), d.file()));
            }
        }
        java.util.Set<String> before = elsewhere.getOrDefault(uri, java.util.Set.of());
        for (String stale : before) {
            if (!byFile.containsKey(stale) && !documents.containsKey(stale)) {
                c.publishDiagnostics(new PublishDiagnosticsParams(stale, List.of()));
            }
        }
        byFile.forEach((fileUri, list) -> c.publishDiagnostics(new PublishDiagnosticsParams(fileUri, list)));
        elsewhere.put(uri, java.util.Set.copyOf(byFile.keySet()));
    }

    /** One diagnostic as LSP sees it: same code, message and span as {@code tamp check}; notes and hint in the text. */
    static org.eclipse.lsp4j.Diagnostic convert(Diagnostic d, String uri, TextPositions positions, SourceFile file) {
        StringBuilder message = new StringBuilder(d.message());
        List<DiagnosticRelatedInformation> related = new ArrayList<>();
        for (Note note : d.notes()) {
            if (note.span().isPresent()) {
                SourceFile noteFile = note.file().orElseThrow();
                SourceSpan at = note.span().get();
                boolean here = noteFile == file;
                Range range = (here ? positions : new TextPositions(noteFile.text())).range(at.startOffset(), at.endOffset());
                String noteUri = here || noteFile.path() == null ? uri : noteFile.path().toAbsolutePath().toUri().toString();
                related.add(new DiagnosticRelatedInformation(new Location(noteUri, range), note.message()));
            } else {
                message.append("\nnote: ").append(note.message());
            }
        }
        d.hint().ifPresent(h -> message.append("\nhelp: ").append(h));
        SourceSpan span = d.span();
        org.eclipse.lsp4j.Diagnostic out = new org.eclipse.lsp4j.Diagnostic(
                positions.range(span.startOffset(), span.endOffset()), message.toString(),
                d.severity() == Severity.ERROR ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                "tamp", d.code().code());
        if (!related.isEmpty()) {
            out.setRelatedInformation(related);
        }
        return out;
    }

    // ---- Queries ------------------------------------------------------------------------------------------------

    /** The model file a document names, resolved against its folder, if it names one. */
    private static Optional<Path> modelPath(Document document) {
        return statements(document).stream()
                .filter(s -> s instanceof Statement.Model)
                .map(s -> ((Statement.Model) s).path().value())
                .findFirst()
                .flatMap(written -> resolve(document, written));
    }

    private static List<Statement> statements(Document document) {
        List<Statement> all = new ArrayList<>();
        document.checked().ast().ifPresent(unit -> {
            for (Declaration d : unit.declarations()) {
                if (d instanceof Declaration.Recipe r) {
                    all.addAll(r.statements());
                }
            }
        });
        return all;
    }

    private static Optional<Path> resolve(Document document, String written) {
        try {
            Path p = Path.of(written);
            Path base = document.path().toAbsolutePath().getParent();
            return Optional.of(p.isAbsolute() || base == null ? p : base.resolve(p).normalize());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private List<LayerCatalog.Layer> layersOf(Document document) {
        return modelPath(document).map(p -> {
            try {
                return layers.layers(p);
            } catch (RuntimeException e) {
                return List.<LayerCatalog.Layer>of();
            }
        }).orElse(List.of());
    }

    private static boolean contains(SourceSpan span, int offset) {
        return span.startOffset() <= offset && offset <= span.endOffset();
    }

    private final class TextDocuments implements TextDocumentService {
        @Override
        public void didOpen(DidOpenTextDocumentParams params) {
            update(params.getTextDocument().getUri(), params.getTextDocument().getText());
        }

        @Override
        public void didChange(DidChangeTextDocumentParams params) {
            var changes = params.getContentChanges();
            if (!changes.isEmpty()) {
                update(params.getTextDocument().getUri(), changes.get(changes.size() - 1).getText());
            }
        }

        @Override
        public void didClose(DidCloseTextDocumentParams params) {
            String uri = params.getTextDocument().getUri();
            documents.remove(uri);
            LanguageClient c = client;
            if (c != null) {
                c.publishDiagnostics(new PublishDiagnosticsParams(uri, List.of()));
                publishElsewhere(uri, List.of(), c);
            }
            elsewhere.remove(uri);
        }

        @Override
        public void didSave(DidSaveTextDocumentParams params) {
            // A save changes nothing the server has not seen: documents are synchronized on every change.
        }

        @Override
        public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
            Document document = documents.get(params.getTextDocument().getUri());
            if (document == null) {
                return CompletableFuture.completedFuture(Either.forLeft(List.of()));
            }
            int offset = document.positions().offset(params.getPosition());
            return CompletableFuture.completedFuture(Either.forLeft(
                    Completions.at(document.text(), offset, () -> layersOf(document))));
        }

        @Override
        public CompletableFuture<List<? extends TextEdit>> formatting(DocumentFormattingParams params) {
            Document document = documents.get(params.getTextDocument().getUri());
            if (document == null || !document.checked().parsed().isClean()) {
                return CompletableFuture.completedFuture(List.of());
            }
            String formatted = Formatter.format(document.checked().parsed());
            if (formatted.equals(document.text())) {
                return CompletableFuture.completedFuture(List.of());
            }
            Range all = new Range(new Position(0, 0), document.positions().end());
            return CompletableFuture.completedFuture(List.of(new TextEdit(all, formatted)));
        }

        @Override
        public CompletableFuture<Either<List<? extends Location>, List<? extends LocationLink>>> definition(
                DefinitionParams params) {
            Document document = documents.get(params.getTextDocument().getUri());
            List<Location> found = new ArrayList<>();
            if (document != null) {
                int offset = document.positions().offset(params.getPosition());
                for (Statement s : statements(document)) {
                    Optional<Statement.StringLiteral> path = s instanceof Statement.Model m ? Optional.of(m.path())
                            : s instanceof Statement.TargetRef t ? t.path() : Optional.empty();
                    path.filter(p -> contains(p.span(), offset))
                            .flatMap(p -> resolve(document, p.value()))
                            .filter(Files::isRegularFile)
                            .ifPresent(p -> found.add(new Location(p.toUri().toString(),
                                    new Range(new Position(0, 0), new Position(0, 0)))));
                }
            }
            return CompletableFuture.completedFuture(Either.forLeft(found));
        }

        @Override
        public CompletableFuture<Hover> hover(HoverParams params) {
            Document document = documents.get(params.getTextDocument().getUri());
            if (document == null) {
                return CompletableFuture.completedFuture(null);
            }
            int offset = document.positions().offset(params.getPosition());
            for (Statement s : statements(document)) {
                if (!(s instanceof Statement.Pass pass) || pass.selector().isEmpty()) {
                    continue;
                }
                var selector = pass.selector().get();
                List<SelectorTerm> terms = new ArrayList<>(selector.include());
                terms.addAll(selector.exclude());
                for (SelectorTerm term : terms) {
                    if (term instanceof SelectorTerm.Exact exact && contains(exact.span(), offset)) {
                        for (LayerCatalog.Layer layer : layersOf(document)) {
                            if (layer.name().equals(exact.name())) {
                                Hover hover = new Hover(new MarkupContent(MarkupKind.MARKDOWN,
                                        "**" + layer.name() + "**: " + layer.description()),
                                        document.positions().range(exact.span().startOffset(), exact.span().endOffset()));
                                return CompletableFuture.completedFuture(hover);
                            }
                        }
                    }
                }
            }
            return CompletableFuture.completedFuture(Completions.describe(document.text(), offset)
                    .map(d -> new Hover(new MarkupContent(MarkupKind.MARKDOWN, d.markdown()),
                            document.positions().range(d.start(), d.end())))
                    .orElse(null));
        }
    }

    private static final class Workspace implements WorkspaceService {
        @Override
        public void didChangeConfiguration(DidChangeConfigurationParams params) {}

        @Override
        public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {}
    }
}
