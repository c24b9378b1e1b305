package dev.tamp.optimizer.plan;

import dev.tamp.optimizer.pipeline.CompileReport;
import dev.tamp.optimizer.report.FrontierChart;
import java.util.OptionalDouble;

/**
 * The plan's size/accuracy frontier as a standalone SVG file ({@code frontier.svg}): weights size against validation
 * accuracy, one dot per plan solved at a size capacity (accuracy predicted from single-layer changes) and a ringed
 * dot for the plan taken (accuracy measured); the same chart as the compile report's ({@link FrontierChart}).
 */
public final class FrontierSvg {
    private FrontierSvg() {}

    public static String render(Plan plan) {
        return FrontierChart.render(plan.recipe() + ": size / accuracy frontier", points(plan), sizeBound(plan))
                + "\n";
    }

    /** The plan's frontier as the compile report keeps it. */
    public static java.util.List<CompileReport.FrontierPoint> points(Plan plan) {
        return plan.frontier().stream().map(f -> new CompileReport.FrontierPoint(f.size(), f.accuracy(), f.chosen()))
                .toList();
    }

    private static OptionalDouble sizeBound(Plan plan) {
        return plan.totals().stream().filter(t -> t.metric().equals("size")).mapToDouble(Plan.Total::bound)
                .findFirst();
    }
}
