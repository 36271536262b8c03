"""Chapter 6 (backpropagation): check yourself, on the graph g of the chapter (w1 = 2, w2 = 3)."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "dg-da": Numeric(
        r"With \(b = a \times w_2\) and \(\partial g/\partial b = 1\): what is \(\partial g / \partial a\)?",
        3,
        mistakes={1: r"That is \(\partial g/\partial b\); multiply by the local derivative \(\partial b/\partial a\)."},
        explain=r"\(\partial g/\partial a = \partial g/\partial b \cdot \partial b/\partial a = 1 \cdot w_2 = 3\).",
    ),
    "dg-dw1": Numeric(
        r"What is \(\partial g / \partial w_1\)? (Hint: \(w_1\) is used twice.)",
        39,
        mistakes={36: r"That is the path through \(a = w_1^3\) alone; add the path through \(c = 3w_1\).",
                  3: r"That is the path through \(c = 3w_1\) alone; add the path through \(a = w_1^3\)."},
        explain=r"Through \(a = w_1^3\): \(3 \cdot 3w_1^2 = 36\); through \(c = 3w_1\): \(1 \cdot 3 = 3\). "
                "The paths add: \\(36 + 3 = 39\\).",
    ),
    "dg-dw2": Numeric(
        r"What is \(\partial g / \partial w_2\)? (Hint: \(b = a \times w_2\).)",
        8,
        mistakes={2: r"That is \(w_1\); the local derivative \(\partial b/\partial w_2\) is \(a = w_1^3\).",
                  3: r"That is \(w_2\) itself; the local derivative \(\partial b/\partial w_2\) is \(a\)."},
        explain=r"\(\partial g/\partial w_2 = \partial g/\partial b \cdot \partial b/\partial w_2 = 1 \cdot a = w_1^3 = 8\).",
    ),
}

QUESTIONS["second-backward"] = MultipleChoice(
    r"\(L = (3w - 1)^2\) at \(w = 2\), so \(dL/dw = 30\). After <code>L.backward()</code>, what does a "
    r"second <code>L.backward()</code> do?",
    [Option("It adds 30 again: w.grad becomes 60",
            why="That is what happens when the first call keeps the graph with retain_graph=True."),
     Option("It leaves w.grad at 30",
            why="Gradients are never recomputed silently: they accumulate, or the call fails."),
     Option("It raises an error, because the graph was freed", correct=True),
     Option("It sets w.grad to 0", why="Only you reset gradients, for example with zero_grad().")],
    explain="The first backward() freed the graph, so the second has nothing to walk through and raises a "
            "RuntimeError that mentions retain_graph. With retain_graph=True in the first call, the second "
            "adds 30 again.",
)

QUESTIONS["multiply-swaps"] = Numeric(
    r"In a network, \(f = x y\) with \(x = 3\), \(y = -4\), and \(f\) receives the gradient "
    r"\(\partial L / \partial f = 2\) from above. What is \(\partial L / \partial x\)?",
    -8,
    mistakes={2: r"An addition would pass 2 on unchanged; a product multiplies it by the other input.",
              6: r"That is \(\partial L/\partial y = 2 \cdot x\); for \(x\) the other input is \(y = -4\).",
              -4: r"That is \(\partial f/\partial x = y\); multiply by the 2 that \(f\) received."},
    explain=r"Multiply swaps: \(\partial L/\partial x = \partial L/\partial f \cdot y = 2 \cdot (-4) = -8\).",
)

QUIZZES = {"check-yourself": ["dg-da", "dg-dw1", "dg-dw2"],
           "gates": ["multiply-swaps"], "second-backward": ["second-backward"]}
