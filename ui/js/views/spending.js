// The Spending screen: what was spent today, this month and in all, what is still in flight or
// may have been charged, the month's budget, and the CSV export.

import { el, showError } from "../dom.js";
import { studio } from "../tauri.js";
import { budgetShares, formatMoney, monthName, providerLine } from "../money.js";

/** Shows the Spending screen; the budgets are Settings' monthly budgets. */
export async function showSpending(container) {
  const exportNote = el("p", { className: "spending-export-note muted", role: "status" });
  const exportButton = el("button", {
    type: "button",
    className: "button",
    textContent: "Export CSV",
    dataset: { testid: "export-spending" },
  });
  exportButton.addEventListener("click", async () => {
    exportButton.disabled = true;
    exportNote.textContent = "";
    try {
      const path = await studio.exportSpendingCsv();
      exportNote.textContent = path ? `Saved to ${path}` : "";
    } catch (err) {
      exportNote.replaceChildren(showError(err));
    } finally {
      exportButton.disabled = false;
    }
  });

  const body = el("div", { className: "spending-body" }, [el("p", { className: "loading", textContent: "Adding up your spending…" })]);
  container.replaceChildren(
    el("section", { className: "spending", dataset: { testid: "spending-screen" } }, [
      el("header", { className: "spending-head" }, [el("h1", { textContent: "Spending" }), exportButton]),
      exportNote,
      body,
    ]),
  );

  let summary;
  try {
    summary = await studio.spendingSummary();
  } catch (err) {
    body.replaceChildren(showError(err));
    return;
  }
  // replaceChildren would print a null as the text "null", so optional parts go in a list.
  const warnings = [];
  if (summary.damagedLines > 0) {
    warnings.push(
      el("p", {
        className: "spending-damaged",
        role: "alert",
        textContent: `${summary.damagedLines} line(s) of the spending record could not be read and are left out of these sums.`,
      }),
    );
  }
  body.replaceChildren(
    budgetSection(summary.budgets),
    el("div", { className: "spending-periods" }, [
      period("Today", summary.today, "today"),
      period("This month", summary.thisMonth, "month"),
      period("All time", summary.allTime, "all"),
    ]),
    el("div", { className: "spending-periods apart" }, [
      period("In flight", summary.inFlight, "in-flight", "Videos still being made, at their quoted price. Not charged yet."),
      period(
        "May have been charged",
        summary.mayHaveBeenCharged,
        "at-risk",
        "The service got the request but never answered, so it may have charged. Check your account with the service.",
      ),
    ]),
    ...warnings,
  );
}

function budgetSection(budgets) {
  if (!budgets.length) {
    return el("p", { className: "budget-none muted", dataset: { testid: "budget-none" } }, [
      "No monthly budget is set. You can set one in Settings, and Hailuo Studio will stop a video that would pass it.",
    ]);
  }
  return el(
    "div",
    { className: "budgets" },
    budgets.map((budget) => {
      const shares = budgetShares(budget);
      return el("article", { className: "budget panel", dataset: { testid: `budget-${budget.limit.currency}` } }, [
        el("h2", { textContent: `${monthName()} budget: ${formatMoney(budget.limit)}` }),
        el(
          "div",
          {
            className: "budget-bar",
            role: "img",
            ariaLabel: `${formatMoney(budget.spent)} spent, ${formatMoney(budget.inFlight)} in flight, ${formatMoney(budget.left)} left`,
          },
          [
            barPart("budget-spent", shares.spent),
            barPart("budget-in-flight", shares.inFlight),
            barPart("budget-at-risk", shares.atRisk),
          ],
        ),
        el("p", { className: shares.full ? "budget-figures full" : "budget-figures" }, [
          legend("budget-spent", `${formatMoney(budget.spent)} spent`),
          legend("budget-in-flight", `${formatMoney(budget.inFlight)} in flight`),
          Number(budget.atRisk.amount) > 0 ? legend("budget-at-risk", `${formatMoney(budget.atRisk)} may have been charged`) : null,
          el("strong", { className: "budget-left", textContent: `${formatMoney(budget.left)} left` }),
        ]),
      ]);
    }),
  );
}

/** One part of the budget bar. Sized through the CSSOM: the CSP forbids inline style attributes. */
function barPart(className, percent) {
  const part = el("span", { className });
  part.style.width = `${percent}%`;
  return part;
}

function legend(className, text) {
  return el("span", { className: "budget-legend" }, [el("i", { className: `swatch ${className}`, ariaHidden: "true" }), text]);
}

function period(title, totals, testid, note) {
  return el("article", { className: "spending-period panel", dataset: { testid: `spent-${testid}` } }, [
    // An h2: the periods sit straight under the screen's h1 (the budget's h2 is not always there).
    el("h2", { className: "spending-period-title", textContent: title }),
    totals.length
      ? el(
          "div",
          { className: "spending-currencies" },
          totals.map((total) =>
            el("div", { className: "spending-currency" }, [
              el("p", { className: "spending-total", textContent: formatMoney(total.total) }),
              el("ul", { className: "spending-providers" }, total.byProvider.map((part) => el("li", { textContent: providerLine(part) }))),
            ]),
          ),
        )
      : el("p", { className: "spending-total nothing", textContent: "Nothing" }),
    note ? el("p", { className: "muted spending-note", textContent: note }) : null,
  ]);
}
