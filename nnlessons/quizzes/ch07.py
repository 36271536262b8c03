"""Chapter 7 (handwritten digits): check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "kept-weights": MultipleChoice(
        "Early stopping with patience 20 ends training after epoch 46. Whose weights does the model keep?",
        [Option("Those after epoch 46, the last one trained.",
                why="The last 20 epochs brought no improvement; the rule goes back to the best epoch."),
         Option("Those of the epoch with the best validation accuracy, here epoch 26.", correct=True),
         Option("Those of the epoch with the lowest training loss.",
                why="Early stopping watches the validation accuracy; the training loss keeps falling."),
         Option("Those of the epoch with the best test accuracy.",
                why="Training never looks at the test set; choosing by it would spoil it.")],
        explain="The rule stops 20 epochs after the last strict improvement of the validation accuracy and "
                "restores the weights of that best epoch; it never looks at the test set.",
    ),
    "accuracy": Numeric(
        "A confusion matrix of 359 test images has 351 on its diagonal. What is the accuracy?",
        351 / 359, decimals=3, shown="0.978 (351/359)",
        mistakes={8 / 359: "That is the error rate, the share of images off the diagonal."},
        explain="Accuracy = trace / total = 351/359 = 0.9777.",
    ),
    "why-not-test": MultipleChoice(
        "Why not choose the stopping epoch by the test accuracy instead of the validation accuracy?",
        [Option("The test set is too small.",
                why="Size is not the point: looking at the test set to choose makes its accuracy optimistic, "
                    "however large it is."),
         Option("Then the test accuracy would have been used to choose the model and would no longer be an honest "
                "estimate for new images.", correct=True),
         Option("Test accuracy cannot be computed during training.",
                why="It can, as cheaply as the validation accuracy. The reason is what using it would do."),
         Option("It would make training slower.",
                why="One more accuracy per epoch costs little. The reason is the honesty of the final estimate.")],
        explain="Every choice made by looking at a data set fits the model a little to that set. The test set "
                "stays untouched until the end so that its accuracy still measures performance on unseen data.",
    ),
}

QUIZZES = {"check-yourself": ["kept-weights", "accuracy", "why-not-test"]}
