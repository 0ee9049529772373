//! The category chart: horizontal bars drawn with plotters' SVG backend, so
//! the page carries its chart inline and needs nothing from the network.

use crate::report::CategoryScore;
use plotters::prelude::*;

/// Bar colours by verdict, readable on light and dark backgrounds.
fn bar_color(score: Option<f64>) -> RGBColor {
    match score {
        Some(s) if s >= 90.0 => RGBColor(46, 160, 67),
        Some(s) if s >= 70.0 => RGBColor(210, 153, 34),
        Some(_) => RGBColor(218, 54, 51),
        None => RGBColor(140, 149, 159),
    }
}

/// One bar per category (0–100 %); with `previous`, a thin mark where the
/// category stood in the compared report.
pub fn categories(categories: &[CategoryScore], previous: &[(String, Option<f64>)]) -> String {
    let rows = categories.len().max(1) as u32;
    let height = 40 + rows * 28;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        let text = RGBColor(128, 128, 128);
        let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            let mut chart = ChartBuilder::on(&root)
                .margin(8)
                .margin_right(28)
                .x_label_area_size(24)
                .y_label_area_size(150)
                .build_cartesian_2d(0f64..100f64, 0f64..f64::from(rows))?;
            let titles: Vec<String> = categories.iter().map(|c| c.title.clone()).collect();
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_labels(6)
                .x_label_formatter(&|x| format!("{x:.0}%"))
                .y_labels(rows as usize * 2 + 1)
                .y_label_formatter(&|y| {
                    // Labels sit at the middle of each bar's band.
                    let band = y - 0.5;
                    let index = rows as f64 - 1.0 - band;
                    if (band.fract()).abs() < 1e-6 && index >= 0.0 {
                        titles.get(index as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .label_style(("sans-serif", 13).into_font().color(&text))
                .axis_style(text.mix(0.6))
                .light_line_style(text.mix(0.0))
                .bold_line_style(text.mix(0.25))
                .draw()?;
            for (i, category) in categories.iter().enumerate() {
                let band = f64::from(rows) - 1.0 - i as f64;
                let score = category.score.unwrap_or(0.0);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, band + 0.2), (score.max(0.5), band + 0.8)],
                    bar_color(category.score).filled(),
                )))?;
                let label = match category.score {
                    Some(s) => format!("{s:.0}%"),
                    None => "n/a".to_string(),
                };
                // Beside the bar, or inside it (in white) when it is full.
                let (x, color) = if score > 88.0 {
                    (score - 9.0, WHITE)
                } else {
                    (score + 1.5, text)
                };
                chart.draw_series(std::iter::once(Text::new(
                    label,
                    (x, band + 0.62),
                    ("sans-serif", 12).into_font().color(&color),
                )))?;
                if let Some((_, Some(before))) =
                    previous.iter().find(|(title, _)| *title == category.title)
                {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(before - 0.4, band + 0.05), (before + 0.4, band + 0.95)],
                        BLACK.mix(0.7).filled(),
                    )))?;
                }
            }
            root.present()?;
            Ok(())
        })();
        // Drawing into a String cannot fail for I/O reasons; a failure here
        // is a bug, and the report is still useful without its chart.
        debug_assert!(drawn.is_ok(), "{:?}", drawn.err().map(|e| e.to_string()));
    }
    svg
}
