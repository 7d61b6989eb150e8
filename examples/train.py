"""Fine-tune a pretrained model for sentiment classification.

A short, realistic training script to try the language server on: hover over
`attention_mask`, `padding` or `labels` below, or over a glossary phrase in this
docstring such as masked language modeling, self-attention or the model head.

The tokenizer turns each review into input IDs; the attention mask marks which
positions are real tokens and which are padding. Only the classification head is
new: everything else comes from the pre-trained checkpoint (transfer learning).
"""

from __future__ import annotations

import torch
from datasets import load_dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
)

CHECKPOINT = "distilbert/distilbert-base-uncased"

tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT)
model = AutoModelForSequenceClassification.from_pretrained(CHECKPOINT, num_labels=2)


def tokenize(batch):
    # Pad every review to the longest one in the batch and cut very long ones; the
    # tokenizer also returns the attention mask (and, for BERT, token type IDs).
    return tokenizer(batch["text"], padding=True, truncation=True, max_length=256)


dataset = load_dataset("imdb")
encoded = dataset.map(tokenize, batched=True)
encoded = encoded.remove_columns(["text"])
encoded = encoded.rename_column("label", "labels")

# A quick sanity check on one padded batch before training.
sample = tokenizer(["A great film.", "Dull."], padding=True, return_tensors="pt")
with torch.no_grad():
    outputs = model(
        input_ids=sample["input_ids"],
        attention_mask=sample["attention_mask"],
        labels=torch.tensor([1, 0]),
    )
print(outputs.loss, outputs.logits.shape)

args = TrainingArguments(
    output_dir="sentiment-model",
    learning_rate=2e-5,
    per_device_train_batch_size=16,
    num_train_epochs=2,
    eval_strategy="epoch",
    save_strategy="epoch",
    load_best_model_at_end=True,
    push_to_hub=False,
)

trainer = Trainer(
    model=model,
    args=args,
    train_dataset=encoded["train"],
    eval_dataset=encoded["test"],
    processing_class=tokenizer,
)

if __name__ == "__main__":
    trainer.train()
