package dev.tamp.cli;

import dev.tamp.ide.lsp.LayerCatalog;
import dev.tamp.ide.lsp.ModelLayerCatalog;
import dev.tamp.ide.lsp.TampLsp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code tamp lsp}: the language server for editors, speaking the Language Server Protocol on stdin and stdout. */
@Command(name = "lsp", description = "Run the language server for editors (Language Server Protocol over stdin/stdout).")
final class LspCommand implements Callable<Integer> {

    /** The layers offered after {@code prune } and shown on hover: read from the recipe's model. */
    static LayerCatalog layerCatalog() {
        return new ModelLayerCatalog();
    }

    @Override
    public Integer call() throws InterruptedException {
        // stdout carries the protocol and nothing else; diagnostics of the server itself go to stderr.
        return TampLsp.serve(System.in, System.out, layerCatalog());
    }
}
