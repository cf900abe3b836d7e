/**
 * TOTP tests use codes of the previous, current and next 30-second step in one sequence. Started
 * near a step's end, the window can move under them and a valid code become two steps old. Each
 * sequence therefore starts with at least 8 seconds left in the current step.
 */
export async function awayFromTotpStepEdge(): Promise<void> {
  const secondsIntoStep = (Date.now() / 1000) % 30;
  if (secondsIntoStep > 22)
    await new Promise((resolve) => setTimeout(resolve, (30.2 - secondsIntoStep) * 1000));
}
