"""The yearly award (Gemeenten4GlobalGoals: "Meest Inspirerende Global Goals Gemeente")."""
