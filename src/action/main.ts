// Placeholder: the GitHub Action entry (route) is built in the router work.
export {};
