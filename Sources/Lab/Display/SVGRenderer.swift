/// Draws charts and bars as standalone SVG pictures.
public enum SVGRenderer {
    public static func chart(_ chart: ChartDisplay) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"40\"><text x=\"10\" y=\"25\">"
            + HTMLRenderer.escape(chart.title) + "</text></svg>"
    }
}
