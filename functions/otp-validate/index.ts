// Placeholder until the route lands.
export const handler = async () => ({ statusCode: 501, body: '' });
